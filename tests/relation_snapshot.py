"""The relation snapshot: every relation record the rules give on the gold articles, the seeds and the construction
catalogue, one JSON line per record (`tests/snapshots/relations.jsonl`), so a refactor of the relation code can be
shown to change no output (`tests/test_relation_snapshot.py` recomputes and compares).

The documents go through what the extract stage does per document: cleaning (`stages.document_rows`, with the
article's publication date), the built pipeline, then `relations.doc_records`; catalogue sentences are parsed as
they are, with no date. A record keeps every field of `relation_records` except the mention ids, which become the
argument's text, label, entity key and character offset (readable in a diff), and the evidence sentence.

When a rule change is meant to change output, regenerate the snapshot deliberately and review the diff:

    PYTHONPATH=$PWD python -m tests.relation_snapshot --update      # or
    DEFNEWS_UPDATE_SNAPSHOT=1 PYTHONPATH=$PWD python -m pytest -q tests/test_relation_snapshot.py
    git diff --stat tests/snapshots/relations.jsonl
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "tests" / "snapshots" / "relations.jsonl"
FOLDERS = (("dev", ROOT / "data/gold/dev/articles"), ("dev2", ROOT / "data/gold/dev2/articles"),
           ("seeds", ROOT / "seeds"))
UPDATE_ENV = "DEFNEWS_UPDATE_SNAPSHOT"
# Field order of a line: where the statement is, what it says, its details, how it was found.
ARGUMENTS = ("subject", "object", "supplier")
FIELDS = ("predicate", "negated", "negation_cue", "hedged", "status", "role", "quantity", "value", "date",
          "confidence", "trigger", "rule", "evidence_start", "evidence_end", "evidence")


def _sources(params) -> list[tuple[str, str, object]]:
    """(source name, text, publication date) of every input: the ok documents of each folder, then every
    catalogue sentence (`catalogue/<file>#<construction>.<sentence>`)."""
    from pipeline.catalogue import load_catalogue
    from pipeline.stages import document_rows

    out = []
    for name, folder in FOLDERS:
        rows = document_rows(folder, rules_path=ROOT / params["clean"]["rules"], max_bytes=params["clean"]["max_bytes"])
        out += [(f"{name}/{r['source_path']}", r["text"], r["published"])
                for r in sorted(rows, key=lambda r: r["source_path"]) if r["status"] == "ok"]
    for i, c in enumerate(load_catalogue()):
        for j, ex in enumerate(c.examples):
            out.append((f"catalogue/{c.predicate}#{i}.{j}", ex.text, None))
    return out


def compute(nlp, rules, params) -> list[str]:
    """The snapshot's lines, in input order and, within an input, in the order the rules return the records."""
    from pipeline.entities import mention_id
    from pipeline.relations import doc_records

    lines = []
    sources = _sources(params)
    for (source, _, published), doc in zip(sources, nlp.pipe(text for _, text, _ in sources)):
        spans = {mention_id(source, e.start_char, e.end_char): e for e in doc.ents}
        for rec in doc_records(source, doc, rules, published):
            line = {"source": source}
            for arg in ARGUMENTS:
                mid = rec.get(f"{arg}_mention_id")
                span = spans.get(mid)
                line[arg] = mid if span is None else [span.text, span.label_, span.kb_id_, span.start_char]
            for f in FIELDS:
                v = rec[f]
                line[f] = v.isoformat() if isinstance(v, dt.date) else v
            lines.append(json.dumps(line, ensure_ascii=False))
    return lines


def build(params=None):
    """The built pipeline and the rules with the registry, as the test fixtures make them."""
    from pipeline.build_model import build_pipeline
    from pipeline.relations import load_rules, with_registry
    from pipeline.settings import load_params

    params = params or load_params(ROOT / "params.yaml")
    nlp = build_pipeline(params["model"]["base"], params["model"]["gazetteers"])
    registry = nlp.get_pipe("defnews_entity_resolver").registry
    return nlp, with_registry(load_rules(str(ROOT / params["relations"]["rules"])), registry), params


def write(lines: list[str], path: Path = SNAPSHOT) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{x}\n" for x in lines), encoding="utf-8")


def read(path: Path = SNAPSHOT) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--update", action="store_true", help=f"rewrite {SNAPSHOT.relative_to(ROOT)}")
    args = ap.parse_args(argv)
    os.chdir(ROOT)
    lines = compute(*build())
    if args.update:
        write(lines)
        print(f"{SNAPSHOT.relative_to(ROOT)}: {len(lines)} records", file=sys.stderr)
        return 0
    old = read()
    changed = sorted(set(old) ^ set(lines))
    print(f"{len(lines)} records; {len(changed)} lines differ from {SNAPSHOT.relative_to(ROOT)}", file=sys.stderr)
    return 1 if changed or old != lines else 0


if __name__ == "__main__":
    sys.exit(main())
