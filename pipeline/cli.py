"""Command line: one sub-command per DVC stage, plus `run` (every stage, outside DVC), `show` and `docs`.

Thin shell only: parses arguments, reads params.yaml, calls `stages`, turns user errors into one line.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .settings import ConfigError, check_inputs, load_params

# Settings naming files (or the base model) each command reads, checked before anything is written.
_ALL = ["clean.rules", "model.base", "model.gazetteers", "relations.rules", "facts.role_rules"]
NEEDS = {"run": _ALL, "evaluate": _ALL, "clean": ["clean.rules"], "build-model": ["model.base", "model.gazetteers"],
         "relations": ["relations.rules"], "extract": ["clean.rules", "relations.rules", "facts.role_rules"],
         "facts": ["facts.role_rules"]}


def main(argv: list[str] | None = None) -> int:
    # Arrow on the C allocator: it hands large freed buffers back to the system at once (mimalloc, pyarrow's
    # default, keeps them), so a stage's peak memory is what it holds, not what it once held (bench: -40 MB).
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())
    p = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__.splitlines()[0])
    p.add_argument("--params", default="params.yaml", help="parameters file (default: params.yaml)")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="run every stage on a seeds folder, writing the tables to --out")
    r.add_argument("--seeds", required=True, type=Path)
    r.add_argument("--out", required=True, type=Path)
    r.add_argument("--workers", type=int, default=None, help="spaCy processes, of the local pool or the local "
                                                             "cluster (default: params annotate.workers)")
    r.add_argument("--engine", choices=["local", "dask"], help="where the per-document pass runs: our own pool of "
                                                               "processes or a Dask cluster (default: params "
                                                               "annotate.engine)")
    r.add_argument("--address", help="a running Dask scheduler (tcp://host:8786); without it --engine dask starts "
                                     "a local cluster of --workers processes for the run (default: params "
                                     "annotate.address)")

    c = sub.add_parser("clean", help="seeds -> documents table")
    c.add_argument("--seeds", required=True, type=Path)
    c.add_argument("--out", required=True, type=Path)
    c.add_argument("--cache", type=Path, help="cleaned fields kept per input between runs (incremental)")

    b = sub.add_parser("build-model", help="base model + our components -> spaCy pipeline dir")
    b.add_argument("--out", required=True, type=Path)

    a = sub.add_parser("annotate", help="documents -> per-document Docs, mentions and relation records (a folder, "
                                        "incremental)")
    a.add_argument("--documents", required=True, type=Path)
    a.add_argument("--model", required=True, type=Path)
    a.add_argument("--out", required=True, type=Path)

    e = sub.add_parser("entities", help="per-document mentions -> mentions and entities tables")
    e.add_argument("--annotated", required=True, type=Path)
    e.add_argument("--model", required=True, type=Path)
    e.add_argument("--documents", required=True, type=Path, help="the clean stage's documents table")
    e.add_argument("--out-dir", required=True, type=Path, help="documents (final statuses), mentions, entities")

    rel = sub.add_parser("relations", help="per-document relation records + mentions -> relations table")
    rel.add_argument("--annotated", required=True, type=Path)
    rel.add_argument("--mentions", required=True, type=Path)
    rel.add_argument("--out", required=True, type=Path)

    x = sub.add_parser("extract", help="clean, annotate, entities and relations in one process (the DVC stage)")
    x.add_argument("--seeds", required=True, type=Path)
    x.add_argument("--model", required=True, type=Path)
    x.add_argument("--interim", required=True, type=Path, help="the cleaned documents and the per-document "
                                                               "results kept between runs")
    x.add_argument("--out-dir", required=True, type=Path, help="documents, mentions, entities, relations tables")

    f = sub.add_parser("facts", help="relations, documents, entities -> facts, procurements and roles tables")
    f.add_argument("--tables", required=True, type=Path, help="the folder of the tables (read and written)")

    rp = sub.add_parser("report", help="tables -> a static HTML report (index.html, one page per article)")
    rp.add_argument("--tables", type=Path, default=Path("data/processed"))
    rp.add_argument("--out", type=Path, default=Path("reports"))

    sh = sub.add_parser("show", help="print an entity (aliases, roles, facts) or a fact (every supporting "
                                     "sentence); a name matching several entities lists them")
    sh.add_argument("query", help="an entity_id, a fact_id or a name (case-insensitive; aliases too)")
    sh.add_argument("--tables", type=Path, default=Path("data/processed"))

    rc = sub.add_parser("recipes", help="rewrite the outputs of docs/analysis.md from the tables of --tables")
    rc.add_argument("--tables", required=True, type=Path)
    rc.add_argument("--doc", type=Path, default=Path("docs/analysis.md"))

    ev = sub.add_parser("evaluate", help="run every stage on gold articles and score the tables against gold")
    ev.add_argument("--gold-dir", required=True, type=Path, help="one folder per set: articles/ and gold.jsonl")
    ev.add_argument("--sets", nargs="+", default=["dev", "dev2"], help="the sets to score (folders of --gold-dir)")
    ev.add_argument("--out-dir", required=True, type=Path, help="where the tables of each set's articles go")
    ev.add_argument("--metrics-dir", required=True, type=Path,
                    help="eval_<set>.json and eval_all.json (DVC metrics), eval_details_<set>.json (misses)")

    d = sub.add_parser("docs", help="write docs/tables.md from the schemas and the README score table from metrics")
    d.add_argument("--out", type=Path, default=Path("docs/tables.md"))

    args = p.parse_args(argv)
    try:
        if args.command == "docs":
            from .catalogue import readme_with_coverage
            from .evaluate import readme_with_scores
            from .schemas import data_dictionary

            args.out.write_text(data_dictionary(), encoding="utf-8")
            readme = Path("README.md")
            readme.write_text(readme_with_coverage(readme_with_scores(readme.read_text(encoding="utf-8"),
                                                                      Path("metrics"))),
                              encoding="utf-8")
            return 0
        if args.command == "recipes":
            from .recipes import refresh_outputs

            args.doc.write_text(refresh_outputs(args.doc.read_text(encoding="utf-8"), args.tables), encoding="utf-8")
            return 0
        if args.command == "show":
            from .show import show

            try:
                print(show(args.query, args.tables))
            except LookupError as exc:
                print(exc.args[0], file=sys.stderr)
                return 1
            return 0
        params = load_params(args.params)
        check_inputs(params, args.params, NEEDS.get(args.command, []))
        if args.command == "report":  # (before `stages`, which imports every other stage's code)
            from .report import write_report

            pages = write_report(args.tables, args.out, **params["report"])
            print(f"report: {args.out}/index.html, facts.html and {pages - 2} article pages")
            return 0
        from . import stages

        if args.command == "run":
            engine = stages.engine_of(params, name=args.engine, address=args.address, workers=args.workers)
            rows = stages.run_all(args.seeds, args.out, params, engine=engine)
            print(stages.summary(rows))
        elif args.command == "clean":
            stages.run_clean(args.seeds, args.out, rules_path=params["clean"]["rules"],
                             max_bytes=params["clean"]["max_bytes"], cache_path=args.cache,
                             policy=stages.InputPolicy.from_params(params["clean"]))
        elif args.command == "build-model":
            stages.run_build_model(params["model"]["base"], params["model"]["gazetteers"], args.out)
        elif args.command == "annotate":
            stages.run_annotate(args.documents, args.model, params["relations"]["rules"], args.out,
                                batch_size=params["annotate"]["batch_size"], engine=stages.engine_of(params))
        elif args.command == "extract":
            stages.run_extract(args.seeds, args.model, args.interim, args.out_dir, params)
        elif args.command == "entities":
            stages.run_entities(args.annotated, args.model, args.documents, args.out_dir)
        elif args.command == "evaluate":
            for name, s in stages.run_evaluate(args.gold_dir, args.sets, args.out_dir, args.metrics_dir,
                                               params).items():
                e, r = s.entities["ALL"], s.relations["ALL"]
                print(f"evaluate {name}: entity F1 {e['f']:.3f}, relation F1 {r['f']:.3f}, "
                      f"negated output as positive {s.negated_as_positive}")
        elif args.command == "relations":
            stages.run_relations(args.annotated, args.mentions, args.out)
        elif args.command == "facts":
            stages.run_facts(args.tables, params["facts"]["role_rules"])
    except (ConfigError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
