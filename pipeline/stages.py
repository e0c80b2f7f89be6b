"""Stage runners: each reads its inputs, calls the pure cores and writes its outputs atomically.

The DVC stages (`python -m pipeline <stage>`) and the all-in-one `python -m pipeline run` call exactly these
functions, so both paths produce the same tables.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
from collections import Counter
from dataclasses import dataclass, replace
from importlib.metadata import version
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from tqdm import tqdm

from . import annotate as annotate_core
from . import cache as cache_core
from . import engine as engine_core
from . import entities as entities_core
from . import facts as facts_core
from . import relations as relations_core
from .clean import clean_text, load_rules, parse_date
from .dedupe import Document, find_duplicates, signature
from .gazetteer import Registry
from .ingest import read_seeds
from .labels import PERSON, STATUS_DUPLICATE, STATUS_OK
from .language import language_of
from .schemas import CROSS_ARTICLE_TABLES, DOCUMENTS, ENTITIES, MENTIONS, RELATIONS, TableWriter, write_table
from .settings import ConfigError


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def shown(path: str) -> str:
    """A file name as a log line can carry it: quoted and escaped when it holds a newline or other control."""
    return path if path.isprintable() else repr(path)


CLEAN_FIELDS = ("status", "error", "title", "published", "source", "section", "text", "n_chars", "removed_lines",
                "removed_by_rule", "url", "language")
# what clean keeps per input: its documents fields + the MinHash signature the duplicate check reads
CLEAN_SCHEMA = pa.schema([DOCUMENTS.schema.field(name) for name in CLEAN_FIELDS] + [pa.field("signature", pa.binary())])


@dataclass(frozen=True)
class InputPolicy:
    """What clean accepts besides the debris rules: params.yaml's `clean` group (the defaults are its values)."""
    languages: tuple[str, ...] = ("en",)
    language_min_words: int = 20
    near_duplicate_threshold: float = 0.8
    shingle_words: int = 5
    max_file_bytes: int | None = None

    @classmethod
    def from_params(cls, clean: dict) -> "InputPolicy":
        return cls(tuple(clean["languages"]), clean["language_min_words"], clean["near_duplicate_threshold"],
                   clean["shingle_words"], clean["max_file_bytes"])

    def fingerprint(self) -> str:
        """What a cached clean result depends on here (the threshold is applied after the cache, so not in it)."""
        return json.dumps([self.languages, self.language_min_words, self.shingle_words,
                           version("py3langid")])


def clean_fields(raw, rules, policy: InputPolicy = InputPolicy()) -> dict:
    """The documents-table fields the cleaner gives one decoded input, with its language (an input clearly in
    a language not accepted is rejected) and its MinHash signature (pure: same text and metadata, same fields)."""
    row = {"status": STATUS_OK, "error": None, "language": None, "signature": None}
    try:
        cd = clean_text(raw.text, rules, title=raw.meta.get("title"))
    except Exception as exc:  # a cleaner bug must not take the run down: the file is reported instead
        return {**row, "status": "rejected", "error": f"cleaning failed: {type(exc).__name__}: {exc}"}
    if not cd.text.strip() and set(cd.removed) == {"title"} and len(cd.title.split()) >= 4:
        # a file that is one headline (4+ words): that line is all the text there is, never lost
        cd = replace(cd, text=cd.title, removed={})
    if not cd.text.strip():
        row.update(status="empty", error="no body text left after removing page debris")
    else:
        row["language"], error = language_of(cd.text, policy.languages, policy.language_min_words)
        if error:
            row.update(status="rejected", error=error)
        else:
            row["signature"] = signature(cd.text, policy.shingle_words)
    published = parse_date(raw.meta["published"]) if raw.meta.get("published") else None
    return {
        **row, "title": cd.title, "published": published or cd.published,
        "source": raw.meta.get("source") or cd.source, "section": cd.section, "text": cd.text,
        "url": raw.meta.get("url"), "n_chars": len(cd.text), "removed_lines": sum(cd.removed.values()),
        "removed_by_rule": json.dumps(dict(sorted(cd.removed.items()))),
    }


def document_rows(seeds: str | Path, *, rules_path: str | Path, max_bytes: int, cache_path=None,
                  policy: InputPolicy = InputPolicy()) -> list[dict]:
    """One documents row per input (per record of an export). With `cache_path`, cleaned fields, language and
    signature are kept per input, keyed by its decoded text and metadata + the rules, the policy and the code,
    so a run cleans, detects and hashes only new or changed inputs; the duplicate check then runs over the
    stored signatures (`dedupe.find_duplicates`)."""
    rules = load_rules(rules_path)
    clean_fp = cache_core.fingerprint(cache_core.code_fingerprint("clean"), Path(rules_path), policy.fingerprint())
    store = cache_core.RowCache(cache_path, CLEAN_SCHEMA, clean_fp) if cache_path else None
    rows, keys, candidates = [], [], []
    inputs = read_seeds(seeds, max_bytes=max_bytes, max_file_bytes=policy.max_file_bytes)
    for raw in tqdm(inputs, desc="clean", unit="file", disable=None, file=sys.stderr):
        row = {
            "doc_id": raw.doc_id, "source_path": raw.source_path, "sha256": raw.sha256, "status": raw.status,
            "error": raw.error, "duplicate_of": raw.duplicate_of, "title": None, "published": None, "source": None,
            "section": None, "text": None, "n_chars": 0, "encoding": raw.encoding, "language": None,
            "removed_lines": 0, "removed_by_rule": None, "url": None,
        }
        if raw.status == STATUS_OK:
            key = cache_core.doc_key(clean_fp, raw.text, sorted(raw.meta.items()))
            if store is not None and key in store:
                fields = store.get(key)[0]
            else:
                fields = clean_fields(raw, rules, policy)
                if store is not None:
                    store.put(key, [fields])
            row.update({k: fields[k] for k in CLEAN_FIELDS})
            if row["status"] == STATUS_OK:
                candidates.append(Document(row["doc_id"], row["source_path"], row["text"], fields["signature"]))
            keys.append(key)
        rows.append(row)
    if store is not None:
        store.save(keys)
    duplicates = find_duplicates(candidates, policy.near_duplicate_threshold, policy.shingle_words)
    for row in rows:
        if row["doc_id"] in duplicates:
            row.update(status=STATUS_DUPLICATE, error=duplicates[row["doc_id"]].error,
                       duplicate_of=duplicates[row["doc_id"]].of)
        if row["status"] != STATUS_OK:
            where = f"{seeds}/{row['source_path']}"
            log(f"{shown(where)}: {row['status']}: {row['error']}")
    return rows


def summary(rows: list[dict]) -> str:
    counts = Counter(r["status"] for r in rows)
    parts = [f"{counts[s]} {s}" for s in ("ok", "duplicate", "empty", "rejected") if counts[s]]
    bad = [f"{shown(r['source_path'])} ({r['error']})" for r in rows if r["status"] in ("rejected", "empty")]
    return ", ".join(parts or ["0 documents"]) + (": " + "; ".join(bad) if bad else "")


def run_clean(seeds, out_documents, *, rules_path, max_bytes, cache_path=None,
              policy: InputPolicy = InputPolicy()) -> list[dict]:
    rows = document_rows(seeds, rules_path=rules_path, max_bytes=max_bytes, cache_path=cache_path, policy=policy)
    with TableWriter(DOCUMENTS, out_documents) as writer:  # in parts: an export's rows never twice in memory
        for start in range(0, len(rows), 4096):
            writer.write(rows[start : start + 4096])
    log(f"clean: {summary(rows)}")
    return rows


def run_build_model(base, gazetteers, out) -> Path:
    from .build_model import build_pipeline, save_pipeline  # spaCy: imported by the stages that need it

    nlp = build_pipeline(base, gazetteers)
    out = Path(out)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    save_pipeline(nlp, tmp)
    if out.exists():
        shutil.rmtree(out)
    os.replace(tmp, out)
    log(f"build_model: {out} ({nlp.meta['defnews']['base_model']} + {', '.join(nlp.pipe_names[-3:])})")
    return out


def ok_documents(documents_path) -> tuple[list[tuple[str, str]], dict]:
    """(doc_id, text) of the ok documents, and doc_id -> publication date."""
    rows = cache_core.read_parquet(documents_path, ["doc_id", "status", "text", "published"])
    ok = [r for r in rows if r["status"] == STATUS_OK]
    return [(r["doc_id"], r["text"]) for r in ok], {r["doc_id"]: r["published"] for r in ok}


def relations_fingerprint(rules_path, registry_fp: str) -> str:
    """What a document's relation records depend on besides its parse: the rules, the registry, the code."""
    return cache_core.fingerprint(cache_core.code_fingerprint("relations"), Path(rules_path), registry_fp)


def run_annotate(documents_path, model_path, rules_path, out_dir, *, batch_size=64, workers=1, nlp=None,
                 model_fp=None, load_nlp=None, registry=None, engine: engine_core.Engine | None = None):
    """The per-document pass (see annotate.py) into `out_dir`. A built pipeline in memory stands in for the model
    dir as `nlp` (kept by the caller) or `load_nlp` (called when parsing starts; annotate drops what it returns
    once its workers have their copy), with `model_fp` its fingerprint and `registry` its entity registry.
    `engine` (default: the local pool of `workers` processes) says where the parsing runs; a Dask engine's
    workers load the pipeline from `engine.model_dir`, by default `model_path`."""
    model_fp = model_fp or annotate_core.model_fingerprint(model_path)
    engine = engine or engine_core.Engine(workers=workers)
    if engine.name != "local":
        engine = replace(engine, model_dir=engine.model_dir or model_path, model_fp=model_fp)
    registry = registry or _registry(model_path, nlp)
    texts, published = ok_documents(documents_path)
    relate = annotate_core.Relate(
        rules=relations_core.with_registry(relations_core.load_rules(str(rules_path)), registry),
        stage_fp=relations_fingerprint(rules_path, model_fp if model_path is None else
                                       cache_core.fingerprint(Path(model_path) / "defnews_entity_resolver")),
        published=published,
    )
    load_nlp = load_nlp or (lambda: nlp or annotate_core.load_pipeline(model_path))
    result = annotate_core.annotate_corpus(
        texts, out_dir, load_nlp=load_nlp, model_fp=model_fp,
        relate=relate, batch_size=batch_size, engine=engine,
    )
    for doc_id, reason in sorted(result.failed.items()):
        log(f"annotate: document {doc_id}: {reason}")
    log(f"annotate: {result.parsed} parsed, {result.reused} unchanged; relations extracted from {result.related}")
    return result


def _registry(model_path, nlp=None) -> Registry:
    if nlp is not None:
        return nlp.get_pipe("defnews_entity_resolver").registry
    folder = Path(model_path) / "defnews_entity_resolver"
    if not folder.is_dir():
        raise ConfigError(f"{model_path}: no built pipeline here; run `dvc repro build_model` (or `make run`)")
    return Registry.from_dir(folder)


def run_entities(annotated, model_path, documents_path, out_dir, *, nlp=None, registry=None) -> list[dict]:
    """Corpus pass over the documents' mention rows (no parsing): merged entity ids, the mentions and entities
    tables, and the final documents table: a document the per-document pass failed on becomes `rejected` with
    the reason ("annotate failed: ..."), so every input keeps exactly one row with its true status.

    Columnar: the mention rows stay an Arrow table through the merge, the sort and into `mentions.parquet`; the
    entity tallies are Arrow group-bys. Only person names (for the merge) and distinct names and sources per
    entity become Python objects."""
    out_dir = Path(out_dir)
    registry = registry or _registry(model_path, nlp)
    failed = annotate_core.failures(annotated)
    docs = cache_core.read_parquet(documents_path)
    for row in docs:
        if row["doc_id"] in failed:
            row.update(status="rejected", error=failed[row["doc_id"]])
            log(f"{shown(row['source_path'])}: rejected: {row['error']}")
    table = annotate_core.read_mentions(annotated)
    persons = table.filter(pc.equal(table["label"], PERSON)).select(["label", "text", "entity_id"])
    table = entities_core.merged_table(table, entities_core.corpus_merge_map(persons.to_pylist()))
    table = table.sort_by([("doc_id", "ascending"), ("start_char", "ascending"), ("end_char", "ascending")])  # stable
    write_table(DOCUMENTS, docs, out_dir / "documents.parquet")
    with TableWriter(MENTIONS, out_dir / "mentions.parquet") as writer:
        writer.write_arrow(table)
    tally = entities_core.EntityTally.of_table(table, registry)
    ents = tally.rows()
    write_table(ENTITIES, ents, out_dir / "entities.parquet")
    log(f"entities: {writer.rows} mentions of {len(ents)} entities")
    return docs


def run_relations(annotated, mentions_path, out) -> int:
    """Corpus pass over the documents' relation records: the corpus-level entity ids of their mentions, the
    relations table. No parsing, no rules: those ran per document in annotate. Columnar, like `run_entities`
    (`relations.resolve_table`)."""
    records = annotate_core.read_relation_records(annotated)
    ids = pq.ParquetFile(mentions_path).read(columns=["doc_id", "mention_id", "entity_id", "start_char"])
    records = relations_core.settle_corpus_roles(records, ids)
    table = relations_core.resolve_table(records, ids["mention_id"], ids["entity_id"])
    with TableWriter(RELATIONS, out) as writer:
        writer.write_arrow(table)
    log(f"relations: {table.num_rows} relations ({pc.sum(table['negated']).as_py() or 0} negated)")
    return table.num_rows


def run_facts(tables_dir, role_rules) -> dict[str, int]:
    """Corpus pass over the relations, documents and entities tables of `tables_dir` (no parsing): the
    cross-article tables facts, procurements and roles, written beside them (see facts.py)."""
    tables_dir = Path(tables_dir)
    read = {n: pq.read_table(tables_dir / f"{n}.parquet") for n in ("relations", "documents", "entities")}
    out = facts_core.cross_article_tables(read["relations"], read["documents"], read["entities"],
                                          facts_core.load_role_rules(role_rules))
    for table in CROSS_ARTICLE_TABLES:
        with TableWriter(table, tables_dir / f"{table.name}.parquet") as writer:
            writer.write_arrow(out[table.name])
    counts = {name: t.num_rows for name, t in out.items()}
    log("facts: " + ", ".join(f"{n} {name}" for name, n in counts.items()))
    return counts


def engine_of(params: dict, *, name: str | None = None, address: str | None = None,
              workers: int | None = None) -> engine_core.Engine:
    """The engine params.yaml's `annotate` group names (`engine`, `address`, `workers`), each overridable."""
    group = params["annotate"]
    return engine_core.Engine(name=name or group["engine"], address=address or group["address"],
                              workers=group["workers"] if workers is None else workers)


def run_extract(seeds, model_path, interim, out_dir, params: dict, *, engine=None) -> list[dict]:
    """The DVC `extract` stage: clean (incremental), the per-document pass, then the two corpus passes, in one
    process. `interim` holds documents.parquet, clean_cache.parquet and annotated/ (kept between runs)."""
    interim = Path(interim)
    run_clean(seeds, interim / "documents.parquet", rules_path=params["clean"]["rules"],
              max_bytes=params["clean"]["max_bytes"], cache_path=interim / "clean_cache.parquet",
              policy=InputPolicy.from_params(params["clean"]))
    registry = _registry(model_path)  # (read once for both passes)
    run_annotate(interim / "documents.parquet", model_path, params["relations"]["rules"], interim / "annotated",
                 batch_size=params["annotate"]["batch_size"], engine=engine or engine_of(params), registry=registry)
    rows = run_entities(interim / "annotated", model_path, interim / "documents.parquet", out_dir, registry=registry)
    run_relations(interim / "annotated", Path(out_dir) / "mentions.parquet", Path(out_dir) / "relations.parquet")
    run_facts(out_dir, params["facts"]["role_rules"])
    return rows


def run_all(seeds, out_dir, params: dict, *, workers: int | None = None,
            engine: engine_core.Engine | None = None) -> list[dict]:
    """Every stage in one process, same code as the DVC stages; tables go to out_dir, the model stays in memory
    and the per-document caches live in a scratch folder removed at the end. With a Dask `engine` (default: the
    one params.yaml names) the built model is saved in that folder for the workers to load, so the folder must be
    one they reach at the same path (docs/scaling.md)."""
    from .build_model import build_pipeline, save_pipeline

    out_dir = Path(out_dir)
    interim = out_dir / ".interim"
    run_clean(seeds, interim / "documents.parquet", rules_path=params["clean"]["rules"],
              max_bytes=params["clean"]["max_bytes"], policy=InputPolicy.from_params(params["clean"]))
    base, gazetteers = params["model"]["base"], params["model"]["gazetteers"]
    handover = [build_pipeline(base, gazetteers)]
    model_fp = cache_core.fingerprint(handover[0].config.to_str(), Path(gazetteers))
    registry = handover[0].get_pipe("defnews_entity_resolver").registry

    def load_nlp():  # the pipeline built above, once (annotate lets go of it when its workers have it), else anew
        return handover.pop() if handover else build_pipeline(base, gazetteers)

    engine = engine or engine_of(params, workers=workers)
    if engine.name != "local":  # the workers load the pipeline from a folder; this process needs it no more
        save_pipeline(handover.pop(), interim / "model")
        engine = replace(engine, model_dir=interim / "model")
    run_annotate(interim / "documents.parquet", None, params["relations"]["rules"], interim / "annotated",
                 batch_size=params["annotate"]["batch_size"], load_nlp=load_nlp, registry=registry,
                 model_fp=model_fp, engine=engine)
    rows = run_entities(interim / "annotated", None, interim / "documents.parquet", out_dir, registry=registry)
    run_relations(interim / "annotated", out_dir / "mentions.parquet", out_dir / "relations.parquet")
    run_facts(out_dir, params["facts"]["role_rules"])
    shutil.rmtree(interim, ignore_errors=True)
    return rows


def write_json(obj, path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def run_evaluate(gold_dir, sets, out_dir, metrics_dir, params) -> dict:
    """The whole pipeline on each gold set's articles (`<gold_dir>/<set>/articles`), scored against its
    `gold.jsonl`: per set a summary (DVC metrics, `metrics/eval_<set>.json`, with the bare base model's entity
    scores on the same cleaned texts and gold under `base_model`) and the misses per document
    (`eval_details_<set>.json`); then the sets together (`eval_all.json`). Returns the scores by set name."""
    import pandas as pd
    import spacy

    from . import evaluate as evaluate_core
    from .base_model import base_model_tables
    from .settings import base_model_name

    base_nlp = spacy.load(base_model_name(params["model"]["base"]))
    reg = Registry.from_dir(params["model"]["gazetteers"])
    scores = {}
    for name in sets:
        out = Path(out_dir) / name
        run_all(Path(gold_dir) / name / "articles", out, params)
        tables = {n: pd.read_parquet(out / f"{n}.parquet") for n in ("documents", "mentions", "entities",
                                                                    "relations")}
        gold = evaluate_core.read_gold(Path(gold_dir) / name / "gold.jsonl")
        scores[name] = evaluate_core.score(tables, gold)
        scores[name].base_model = evaluate_core.score(base_model_tables(base_nlp, tables["documents"], reg),
                                                      gold).entities
        write_json(scores[name].by_document, Path(metrics_dir) / f"eval_details_{name}.json")
    scores["all"] = evaluate_core.combine(list(scores.values()))
    for name, s in scores.items():
        write_json(s.summary(), evaluate_core.metrics_path(metrics_dir, name))
    return scores
