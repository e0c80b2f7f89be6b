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
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from . import annotate as annotate_core
from . import evaluate as evaluate_core
from . import entities as entities_core
from . import relations as relations_core
from .build_model import build_pipeline, save_pipeline
from .clean import clean_text, load_rules, parse_date
from .gazetteer import Registry
from .ingest import read_seeds
from .labels import STATUS_OK
from .schemas import DOCUMENTS, ENTITIES, MENTIONS, RELATIONS, write_table


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def document_rows(seeds: str | Path, *, rules_path: str | Path, max_bytes: int) -> list[dict]:
    rules = load_rules(rules_path)
    rows = []
    for raw in read_seeds(seeds, max_bytes=max_bytes):
        row = {
            "doc_id": raw.doc_id, "source_path": raw.source_path, "sha256": raw.sha256, "status": raw.status,
            "error": raw.error, "title": None, "published": None, "source": None, "section": None, "text": None,
            "n_chars": 0, "encoding": raw.encoding, "removed_lines": 0, "removed_by_rule": None, "url": None,
        }
        if raw.status == STATUS_OK:
            try:
                cd = clean_text(raw.text, rules, title=raw.meta.get("title"))
            except Exception as exc:  # a cleaner bug must not take the run down: the file is reported instead
                row.update(status="rejected", error=f"cleaning failed: {type(exc).__name__}: {exc}")
            else:
                if not cd.text.strip():
                    row.update(status="empty", error="no body text left after removing page debris")
                published = parse_date(raw.meta["published"]) if raw.meta.get("published") else None
                row.update(
                    title=cd.title, published=published or cd.published, source=raw.meta.get("source") or cd.source,
                    section=cd.section, text=cd.text, url=raw.meta.get("url"),
                    n_chars=len(cd.text), removed_lines=sum(cd.removed.values()),
                    removed_by_rule=json.dumps(dict(sorted(cd.removed.items()))),
                )
        if row["status"] != STATUS_OK:
            log(f"{seeds}/{raw.source_path}: {row['status']}: {row['error']}")
        rows.append(row)
    return rows


def summary(rows: list[dict]) -> str:
    counts = Counter(r["status"] for r in rows)
    parts = [f"{counts[s]} {s}" for s in ("ok", "duplicate", "empty", "rejected") if counts[s]]
    bad = [f"{r['source_path']} ({r['error']})" for r in rows if r["status"] in ("rejected", "empty")]
    return ", ".join(parts or ["0 documents"]) + (": " + "; ".join(bad) if bad else "")


def run_clean(seeds, out_documents, *, rules_path, max_bytes) -> list[dict]:
    rows = document_rows(seeds, rules_path=rules_path, max_bytes=max_bytes)
    write_table(DOCUMENTS, rows, out_documents)
    log(f"clean: {summary(rows)}")
    return rows


def run_build_model(base, gazetteers, out) -> Path:
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


def ok_texts(documents_path) -> list[tuple[str, str]]:
    t = pq.read_table(documents_path, columns=["doc_id", "status", "text"]).to_pylist()
    return [(r["doc_id"], r["text"]) for r in t if r["status"] == STATUS_OK]


def run_annotate(documents_path, model_path, out, *, batch_size=64, workers=1, nlp=None):
    nlp = nlp or annotate_core.load_pipeline(model_path)
    docs = annotate_core.annotate(nlp, ok_texts(documents_path), batch_size=batch_size, n_process=workers)
    annotate_core.save_docs(docs, out)
    log(f"annotate: {out}")
    return nlp


def run_entities(annotated, model_path, out_dir, *, nlp=None):
    nlp = nlp or annotate_core.load_pipeline(model_path)
    registry = nlp.get_pipe("defnews_entity_resolver").registry
    mentions = []
    for doc_id, doc in annotate_core.load_docs(annotated, nlp):
        mentions += entities_core.doc_mentions(doc_id, doc)
    mentions, ents = entities_core.build_entities(mentions, registry)
    out_dir = Path(out_dir)
    write_table(MENTIONS, mentions, out_dir / "mentions.parquet")
    write_table(ENTITIES, ents, out_dir / "entities.parquet")
    log(f"entities: {len(mentions)} mentions of {len(ents)} entities")
    return nlp


def run_relations(annotated, model_path, mentions_path, rules_path, out, *, nlp=None, documents_path=None):
    nlp = nlp or annotate_core.load_pipeline(model_path)
    rules = relations_core.with_registry(relations_core.load_rules(str(rules_path)),
                                         nlp.get_pipe("defnews_entity_resolver").registry)
    entity_of = {
        r["mention_id"]: r["entity_id"]
        for r in pq.read_table(mentions_path, columns=["mention_id", "entity_id"]).to_pylist()
    }
    published = {}  # doc_id -> publication date: places "on Monday", "on March 3" (relations.date)
    if documents_path is not None:
        published = {r["doc_id"]: r["published"]
                     for r in pq.read_table(documents_path, columns=["doc_id", "published"]).to_pylist()}
    rows = []
    for doc_id, doc in annotate_core.load_docs(annotated, nlp):
        rels = relations_core.extract_relations(doc, rules, published=published.get(doc_id))

        def mention_of(span, doc_id=doc_id):
            return entities_core.mention_id(doc_id, span.start_char, span.end_char)

        rows += relations_core.relation_rows(doc_id, rels, entity_of, mention_of)
    write_table(RELATIONS, rows, out)
    log(f"relations: {len(rows)} relations ({sum(r['negated'] for r in rows)} negated)")


def run_all(seeds, out_dir, params: dict, *, workers: int | None = None) -> list[dict]:
    """Every stage in one process, same code as the DVC stages; tables go to out_dir, the model stays in memory."""
    out_dir = Path(out_dir)
    interim = out_dir / ".interim"
    rows = run_clean(seeds, out_dir / "documents.parquet", rules_path=params["clean"]["rules"],
                     max_bytes=params["clean"]["max_bytes"])
    nlp = build_pipeline(params["model"]["base"], params["model"]["gazetteers"])
    workers = params["annotate"]["workers"] if workers is None else workers
    run_annotate(out_dir / "documents.parquet", None, interim / "annotated.spacy",
                 batch_size=params["annotate"]["batch_size"], workers=workers, nlp=nlp)
    run_entities(interim / "annotated.spacy", None, out_dir, nlp=nlp)
    run_relations(interim / "annotated.spacy", None, out_dir / "mentions.parquet", params["relations"]["rules"],
                  out_dir / "relations.parquet", nlp=nlp, documents_path=out_dir / "documents.parquet")
    shutil.rmtree(interim, ignore_errors=True)
    return rows


def write_json(obj, path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def run_evaluate(articles, gold, out_dir, metrics, details, params):
    """The whole pipeline on the gold articles, then the scores (summary as DVC metrics, misses per document)."""
    run_all(articles, out_dir, params)
    tables = {n: pd.read_parquet(Path(out_dir) / f"{n}.parquet") for n in ("documents", "mentions", "entities",
                                                                            "relations")}
    scores = evaluate_core.score(tables, evaluate_core.read_gold(gold))
    write_json(scores.summary(), metrics)
    write_json(scores.by_document, details)
    return scores
