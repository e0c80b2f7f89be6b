"""Incremental runs: only new or changed documents are parsed, a removed one disappears, a rules change re-extracts
relations from the stored parses, and the result always equals a clean run of the same inputs."""
import shutil

import pandas as pd
import pytest
import yaml

from conftest import DEV_ARTICLES, TABLES, read_tables
from pipeline import stages
from pipeline.cache import STAGE_CODE

ARTICLES = ["kuwait-tb2-2023.txt", "poland-tb2-2021.txt", "germany-arrow3-2023.txt"]


def run(seeds, out, params, nlp, *, model_fp="model-1", rules=None):
    """The per-stage runners (as `dvc repro` calls them), with the session's in-memory model."""
    stages.run_clean(seeds, out / "interim" / "documents.parquet", rules_path=params["clean"]["rules"],
                     max_bytes=params["clean"]["max_bytes"])
    ann = stages.run_annotate(out / "interim" / "documents.parquet", None, rules or params["relations"]["rules"],
                              out / "interim" / "annotated", nlp=nlp, model_fp=model_fp,
                              batch_size=params["annotate"]["batch_size"], workers=1)
    stages.run_entities(out / "interim" / "annotated", None, out / "interim" / "documents.parquet", out, nlp=nlp)
    stages.run_relations(out / "interim" / "annotated", out / "mentions.parquet", out / "relations.parquet")
    stages.run_facts(out, params["facts"]["role_rules"])
    return ann


def stored_docs(out):
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (out / "interim/annotated/docs").iterdir()}


@pytest.fixture
def seeds(tmp_path):
    folder = tmp_path / "seeds"
    folder.mkdir()
    for name in ARTICLES:
        shutil.copy(DEV_ARTICLES / name, folder / name)
    return folder


def assert_same_tables(a, b):
    for name in TABLES:
        pd.testing.assert_frame_equal(a[name], b[name], check_like=False)


def test_unchanged_documents_are_not_parsed_again(seeds, tmp_path, params, nlp):
    out = tmp_path / "out"
    ann = run(seeds, out, params, nlp)
    assert (ann.parsed, ann.reused, ann.related) == (3, 0, 3)
    before, tables = stored_docs(out), read_tables(out)
    ann = run(seeds, out, params, nlp)
    assert (ann.parsed, ann.reused, ann.related) == (0, 3, 0)
    assert stored_docs(out) == before  # the same files, not rewritten
    assert_same_tables(read_tables(out), tables)


def test_changed_new_and_removed_articles(seeds, tmp_path, params, nlp):
    out = tmp_path / "out"
    run(seeds, out, params, nlp)
    first = read_tables(out)
    kept = stored_docs(out)
    old_ids = set(first["documents"].doc_id)

    changed = seeds / "kuwait-tb2-2023.txt"
    text = changed.read_text(encoding="utf-8")
    assert "The deal is likely" in text
    changed.write_text(text.replace("The deal is likely", "Japan is considering buying the ANKA drone. The deal is "
                                    "likely"), encoding="utf-8")
    (seeds / "poland-tb2-2021.txt").unlink()
    shutil.copy(DEV_ARTICLES / "switzerland-f35a-2021.txt", seeds)
    ann = run(seeds, out, params, nlp)
    assert (ann.parsed, ann.reused, ann.related) == (2, 1, 2)

    now = read_tables(out)
    ids = set(now["documents"].doc_id)
    assert len(ids) == 3 and len(ids & old_ids) == 1  # germany kept; kuwait changed, poland gone, switzerland new
    unchanged = (ids & old_ids).pop()
    for name in ("mentions", "relations"):
        assert set(now[name].doc_id) <= ids  # the removed article's rows are gone
    assert len(stored_docs(out)) == 3
    assert len(set(stored_docs(out).items()) & set(kept.items())) == 1  # the unchanged parse was not rewritten
    pd.testing.assert_frame_equal(
        now["mentions"][now["mentions"].doc_id == unchanged].reset_index(drop=True),
        first["mentions"][first["mentions"].doc_id == unchanged].reset_index(drop=True),
    )
    rel = now["relations"]
    assert ((rel.subject_id == "COUNTRY:JPN") & (rel.predicate == "considers_procuring")).any()

    clean = tmp_path / "clean"
    run(seeds, clean, params, nlp)
    assert_same_tables(now, read_tables(clean))  # incremental == a clean run of the same seeds


def test_rules_change_reextracts_relations_without_parsing(seeds, tmp_path, params, nlp):
    out = tmp_path / "out"
    run(seeds, out, params, nlp)
    rules = tmp_path / "rules.yaml"
    text = open(params["relations"]["rules"], encoding="utf-8").read()
    rules.write_text(text + "\n# an analyst's edit\n", encoding="utf-8")
    ann = run(seeds, out, params, nlp, rules=rules)
    assert (ann.parsed, ann.related) == (0, 3)


def test_model_change_reparses_everything(seeds, tmp_path, params, nlp):
    out = tmp_path / "out"
    run(seeds, out, params, nlp)
    ann = run(seeds, out, params, nlp, model_fp="model-2")
    assert (ann.parsed, ann.related) == (3, 3)


def test_a_damaged_cache_is_recomputed_not_trusted(seeds, tmp_path, params, nlp):
    out = tmp_path / "out"
    run(seeds, out, params, nlp)
    tables = read_tables(out)
    (out / "interim/annotated/mentions.parquet").write_bytes(b"not parquet")
    (out / "interim/annotated/relation_records.parquet").write_bytes(b"PAR1 truncated")
    ann = run(seeds, out, params, nlp)
    assert (ann.parsed, ann.related) == (3, 3)
    assert_same_tables(read_tables(out), tables)


def test_cache_keys_cover_every_module_dvc_tracks_for_the_stage():
    """A module the per-document results depend on is in their cache key (STAGE_CODE) and in the extract
    stage's dvc.yaml deps, and extract tracks no other module of ours that could change a result."""
    deps = set(yaml.safe_load(open("dvc.yaml", encoding="utf-8"))["stages"]["extract"]["deps"])
    keyed = set(STAGE_CODE["clean"]) | set(STAGE_CODE["annotate"]) | set(STAGE_CODE["relations"])
    assert {f"pipeline/{m}" for m in keyed} <= deps
    tracked = {d.removeprefix("pipeline/") for d in deps if d.startswith("pipeline/")}
    # (ingest and the readers it calls, exports and pdf_word: their output, the decoded text, is what is keyed;
    # facts: a corpus pass over the finished tables, nothing of it is cached; engine: where batches run, not what
    # they give)
    assert tracked - keyed <= {"cache.py", "schemas.py", "stages.py", "ingest.py", "exports.py", "pdf_word.py",
                               "facts.py", "engine.py"}


def test_all_cores_means_the_cores_this_process_may_use(tmp_path):
    """Expected: `workers: 0` resolves to the CPU affinity, capped by a cgroup v2 quota (rounded up), never 0."""
    import os

    from pipeline.settings import available_cpus

    mine = len(os.sched_getaffinity(0))
    assert available_cpus(tmp_path / "absent") == mine
    quota = tmp_path / "cpu.max"
    quota.write_text("max 100000\n")
    assert available_cpus(quota) == mine
    quota.write_text("50000 100000\n")  # half a core
    assert available_cpus(quota) == 1
    quota.write_text(f"{(mine + 8) * 100000} 100000\n")  # a quota above the affinity does not raise it
    assert available_cpus(quota) == mine
