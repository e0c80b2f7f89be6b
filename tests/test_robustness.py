"""Issue 5, the hard cases: a run killed at any moment, crafted file names, pathological documents, hostile seeds,
broken configuration, and one bad document among good ones. Real files, real runs, the real model."""
from __future__ import annotations

import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import BAD, DEV_ARTICLES, ROOT, TABLES, assert_same_tables, ending_with, poison_corpus
from pipeline.ingest import read_seeds
from pipeline.stages import document_rows

RULES = ROOT / "models" / "cleaning" / "debris.yaml"
PY = sys.executable


def pipeline_cmd(*args) -> list[str]:
    return [PY, "-m", "pipeline", *map(str, args)]


def run_pipeline(*args, check=True) -> subprocess.CompletedProcess:
    res = subprocess.run(pipeline_cmd(*args), cwd=ROOT, capture_output=True, text=True)
    if check:
        assert res.returncode == 0, res.stderr
    return res


def tables_of(out: Path) -> dict:
    return {t: pq.read_table(out / f"{t}.parquet") for t in TABLES}


def tree(root: Path) -> dict[str, tuple]:
    """Every entry under root (symlinks not followed): path -> (kind, size, mtime)."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            found[os.fsencode(p.relative_to(root))] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return found


# --- 1. kill and rerun ------------------------------------------------------------------------------------------
def larger_folder(dst: Path) -> Path:
    """The dev articles, plus a round-up of each with the next one in a subfolder (new bytes and new ids; not a
    near-duplicate of either)."""
    shutil.copytree(DEV_ARTICLES, dst)
    (dst / "late").mkdir()
    files = sorted(DEV_ARTICLES.glob("*.txt"))
    for f, g in zip(files, files[1:] + files[:1]):
        (dst / "late" / f.name).write_text(f.read_text(encoding="utf-8") + "\n\n" + g.read_text(encoding="utf-8"),
                                           encoding="utf-8")
    return dst


def test_kill_at_any_moment_leaves_complete_tables_and_the_rerun_equals_a_clean_run(tmp_path):
    small, big = tmp_path / "small", larger_folder(tmp_path / "big")
    shutil.copytree(DEV_ARTICLES, small)
    out, fresh, saved = tmp_path / "out", tmp_path / "fresh", tmp_path / "saved"
    # the first complete run into out, and the clean run of the larger folder that every rerun must equal
    procs = [subprocess.Popen(pipeline_cmd("run", "--seeds", s, "--out", o), cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for s, o in ((small, out), (big, fresh))]
    for proc in procs:
        assert proc.wait() == 0, proc.stderr.read()
    shutil.copytree(out, saved)
    previous, new = tables_of(out), tables_of(fresh)
    assert all(previous[t] != new[t] for t in TABLES)

    def on_tmp_file(proc):  # kill while a table is being written, if the poll catches the moment
        while proc.poll() is None and not any(p.name.endswith(".tmp") for p in out.iterdir()):
            time.sleep(0.0005)

    def after(table):  # kill right after a table was replaced: the ones before it new, the ones after it old
        def wait(proc):
            inode = (out / f"{table}.parquet").stat().st_ino
            while proc.poll() is None and (out / f"{table}.parquet").stat().st_ino == inode:
                time.sleep(0.001)
        wait.__name__ = f"after {table}"
        return wait

    seen = []
    for moment in [1.0, on_tmp_file, after("documents"), after("mentions"), after("entities")]:
        proc = subprocess.Popen(pipeline_cmd("run", "--seeds", big, "--out", out), cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(moment) if isinstance(moment, float) else moment(proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        state = []
        for t in TABLES:
            table = pq.read_table(out / f"{t}.parquet")  # readable, never truncated
            assert table == previous[t] or table == new[t], f"{t} after a kill at {moment}"
            state.append("new" if table == new[t] else "old")
        strays = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
        assert strays == sorted(f"{t}.parquet" for t in TABLES)  # temp files are hidden: .NAME.PID.tmp, .interim
        seen.append(f"{getattr(moment, '__name__', moment)}: {'/'.join(state)}")
        for t in TABLES:  # the next kill starts from the previous tables again
            shutil.copy(saved / f"{t}.parquet", out / f"{t}.parquet")
    print("\nkilled at (documents/mentions/entities/relations):", "; ".join(seen))

    run_pipeline("run", "--seeds", big, "--out", out)
    again = tables_of(out)
    for t in TABLES:
        assert again[t].equals(new[t]), t  # values, ids and row order
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t}.parquet" for t in TABLES)  # temp files cleaned


def test_a_stale_temp_file_of_a_dead_process_is_removed_by_the_next_write(tmp_path):
    from pipeline.schemas import DOCUMENTS, write_table

    dead = subprocess.Popen([PY, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".documents.parquet.{dead.pid}.tmp"
    stale.write_bytes(b"PAR1 half a table")
    live = tmp_path / f".documents.parquet.{os.getppid()}.tmp"  # a live writer's file is left alone
    live.write_bytes(b"PAR1")
    write_table(DOCUMENTS, [], tmp_path / "documents.parquet")
    assert not stale.exists() and live.exists()
    assert pq.read_table(tmp_path / "documents.parquet").num_rows == 0


# --- 2. crafted file names --------------------------------------------------------------------------------------
CRAFTED = [
    "report..txt", "x..y.txt", "dots...", "-rf.txt", "--out=evil.txt", "with space .txt", " leading space.txt",
    "new\nline.txt", "tab\there.txt", "\u202egnp.exe.txt", "\u05e9\u05dc\u05d5\u05dd.txt", "\U0001f4f0 news.txt",
    "a" * 246 + ".txt", "x\\..\\..\\evil.txt", "%2e%2e/%2e%2e/etc/passwd.txt", "a..b/etc/passwd", "con",
    "con.txt", "NUL.txt", "aux", "documents.parquet", "sub/relations.parquet", "$(touch pwned).txt",
    "quote'\"`.txt", "star*?[x].txt",
]


def test_crafted_file_names_each_get_one_row_and_nothing_is_written_outside_out(tmp_path):
    seeds, outside, out = tmp_path / "seeds", tmp_path / "outside", tmp_path / "out"
    (outside / "dir").mkdir(parents=True)
    (outside / "dir" / "inner.txt").write_text("Japan bought drones from Turkey.\n")
    (outside / "secret.txt").write_text("The secret plan of Japan.\n")
    for i, name in enumerate(CRAFTED):
        (seeds / name).parent.mkdir(parents=True, exist_ok=True)
        (seeds / name).write_text(f"Japan is considering procuring the Bayraktar TB2 drone. Note {i}.\n")
    assert len(("a" * 246 + ".txt").encode()) == 250
    (seeds / os.fsdecode(b"caf\xe9.txt")).write_bytes(b"Poland ordered K2 tanks from South Korea.\n")
    os.symlink(outside / "dir", seeds / "outside_dir")  # a folder symlink leaving seeds
    os.symlink("../outside/secret.txt", seeds / "secret.txt")  # a file symlink leaving seeds
    os.symlink("loop_b", seeds / "loop_a")
    os.symlink("loop_a", seeds / "loop_b")
    os.symlink("self.txt", seeds / "self.txt")
    os.symlink("sub", seeds / "sub_again")  # a folder symlink inside seeds: its files are read where they are
    os.mkfifo(seeds / "pipe.txt")  # reading it would block the run forever
    (seeds / ".hidden.txt").write_text("skipped by rule")
    (seeds / "..dots.txt").write_text("skipped by rule (starts with a dot)")
    before = tree(tmp_path)

    res = run_pipeline("run", "--seeds", seeds, "--out", out)

    created = {k: v for k, v in tree(tmp_path).items() if k != b"out" and not k.startswith(b"out/")}
    assert created == before  # nothing written, moved or touched outside out (seeds and the symlink targets too)
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t}.parquet" for t in TABLES)
    docs = pd.read_parquet(out / "documents.parquet").set_index("source_path")
    assert docs.index.is_unique
    expected = set(CRAFTED) | {"caf\\xe9.txt", "outside_dir", "secret.txt", "loop_a", "loop_b", "self.txt",
                               "sub_again", "pipe.txt"}
    assert set(docs.index) == expected  # each once; relative, '/'-separated, hidden files skipped
    assert docs.doc_id.is_unique
    status = docs.status.to_dict()
    for name in ("con", "aux", "dots...", "a..b/etc/passwd"):
        assert status[name] == "rejected" and "unsupported file type '(none)'" in docs.error[name]
    for name in ("documents.parquet", "sub/relations.parquet"):
        assert status[name] == "rejected" and "'.parquet'" in docs.error[name]
    for name in ("outside_dir", "secret.txt"):
        assert status[name] == "rejected" and "outside the seeds folder (not followed)" in docs.error[name]
    for name in ("loop_a", "loop_b", "self.txt"):
        assert status[name] == "rejected" and "symlink loop" in docs.error[name]
    assert status["sub_again"] == "rejected" and "symlink to a folder" in docs.error["sub_again"]
    assert status["pipe.txt"] == "rejected" and "not a regular file" in docs.error["pipe.txt"]
    ok = {n for n in CRAFTED if n.endswith(".txt")} | {"caf\\xe9.txt"}
    assert {n for n, s in status.items() if s == "ok"} == ok
    assert "secret" not in " ".join(docs.text.dropna()) and "Japan bought drones" not in " ".join(docs.text.dropna())
    mentions = pd.read_parquet(out / "mentions.parquet")
    assert set(mentions.doc_id) == set(docs.doc_id[docs.status == "ok"])  # every odd name was read and annotated
    assert f"{len(ok)} ok" in res.stdout


# --- 3. pathological documents ----------------------------------------------------------------------------------
SENTENCE = "Japan is considering procuring the Bayraktar TB2 drone from Turkey. The ministry said talks continue. "

MEASURE = """
import sys, time
from pipeline.settings import load_params
from pipeline.build_model import build_pipeline
from pipeline.stages import run_annotate, run_clean, run_entities
seeds, out = sys.argv[1:]
p = load_params()
t = time.perf_counter()
run_clean(seeds, out + "/clean.parquet", rules_path=p["clean"]["rules"], max_bytes=p["clean"]["max_bytes"])
print(f"clean {time.perf_counter() - t:.1f} s", flush=True)
nlp = build_pipeline(p["model"]["base"], p["model"]["gazetteers"])
t = time.perf_counter()
run_annotate(out + "/clean.parquet", None, p["relations"]["rules"], out + "/annotated", nlp=nlp, model_fp="m")
print(f"annotate {time.perf_counter() - t:.1f} s", flush=True)
t = time.perf_counter()
run_entities(out + "/annotated", None, out + "/clean.parquet", out, nlp=nlp)
print(f"entities {time.perf_counter() - t:.1f} s", flush=True)
"""


def test_pathological_documents_are_slow_at_worst_never_a_crash(tmp_path):
    """A 1 MB line without a newline, 5000 nested <div>s and a file cut in the middle of a character go through
    clean, annotate and entities (the relations stage is quadratic in sentences, see the next test)."""
    seeds, out = tmp_path / "seeds", tmp_path / "out"
    seeds.mkdir()
    line = (SENTENCE * (1_000_000 // len(SENTENCE) + 1))[:1_000_000]
    (seeds / "one-line.txt").write_text(line, encoding="utf-8")
    (seeds / "deep.html").write_text("<html><body>" + "<div>" * 5000 + f"<p>{SENTENCE}</p>" + "</div>" * 5000
                                     + "</body></html>")
    cut = "Poland ordered the Bayraktar TB2 from Türkiye.\n\nThe minister met reporters at a café ☕"
    (seeds / "cut.txt").write_bytes(cut.encode()[:-1])  # the file ends in the middle of the last character
    out.mkdir()
    start = time.perf_counter()
    with open(tmp_path / "stdout", "w") as so, open(tmp_path / "stderr", "w") as se:
        proc = subprocess.Popen([PY, "-c", MEASURE, str(seeds), str(out)], cwd=ROOT, stdout=so, stderr=se)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - start
    assert proc.returncode == 0, (tmp_path / "stderr").read_text()
    print(f"\npathological inputs: {elapsed:.1f} s, peak RSS {usage.ru_maxrss / 1024:.0f} MB "
          f"({(tmp_path / 'stdout').read_text().strip().replace(chr(10), ', ')})")
    docs = pd.read_parquet(out / "documents.parquet").set_index("source_path")
    assert (docs.status == "ok").all(), docs.error.to_dict()
    assert docs.n_chars["one-line.txt"] >= 999_000
    assert docs.text["cut.txt"].startswith(cut[:-1]) and docs.encoding["cut.txt"] == "utf-8"
    mentions = pd.read_parquet(out / "mentions.parquet")
    for name in ("one-line.txt", "deep.html"):
        found = set(mentions.entity_id[mentions.doc_id == docs.doc_id[name]])
        assert {"COUNTRY:JPN", "WEAPON_SYSTEM:bayraktar-tb2"} <= found, name
    assert len(mentions[mentions.doc_id == docs.doc_id["one-line.txt"]]) > 10_000  # every repetition, not one chunk


def test_relations_time_grows_linearly_with_document_length(nlp, rules):
    from pipeline.relations import extract_relations

    def seconds(n_chars):
        doc = nlp((SENTENCE * (n_chars // len(SENTENCE) + 1))[:n_chars])
        start = time.perf_counter()
        extract_relations(doc, rules)
        return time.perf_counter() - start

    small, large = seconds(8_000), seconds(32_000)
    print(f"\nrelations: 8k chars {small:.2f} s, 32k chars {large:.2f} s")
    assert large < 8 * small  # linear is 4x; quadratic is 16x


# --- 4. nothing from seeds is executed, unpickled or fetched ----------------------------------------------------
class Payload:
    def __reduce__(self):
        return (os.system, (f"touch {MARKER}",))


MARKER = "/nonexistent"  # set per test below

HOSTILE_PAGE = """<html><head><meta http-equiv="refresh" content="0; url=http://example.com/next">
<link rel="stylesheet" href="http://example.com/style.css"><script src="http://example.com/tracker.js"></script>
<title>Kuwait orders TB2</title></head><body>
<script>fetch("http://example.com/beacon"); document.write("INJECTED");</script>
<img src="http://example.com/pixel.gif" onerror="alert(1)">
<iframe src="http://example.com/frame.html"></iframe><object data="http://example.com/x.swf"></object>
<article><p>Kuwait has signed a contract to buy Bayraktar TB2 armed drones from the Turkish company Baykar, the
manufacturer has said.</p></article></body></html>"""


def test_nothing_in_seeds_is_executed_unpickled_or_fetched(tmp_path, monkeypatch):
    global MARKER
    seeds, marker = tmp_path / "seeds", tmp_path / "pwned"
    seeds.mkdir()
    MARKER = str(marker)
    (seeds / "model.pkl").write_bytes(pickle.dumps(Payload()))
    (seeds / "arr.npy").write_bytes(b"\x93NUMPY\x01\x00v\x00{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
                                    + pickle.dumps(Payload()))
    (seeds / "run.py").write_text(f"open({MARKER!r}, 'w').write('ran')\n")
    (seeds / "run.sh").write_text(f"#!/bin/sh\ntouch {MARKER}\n")
    (seeds / "run.sh").chmod(0o755)
    (seeds / "page.html").write_text(HOSTILE_PAGE)
    (seeds / "feed.jsonl").write_text('{"text": "Japan eyes the ANKA drone.", "url": "http://example.com/a"}\n')
    calls = []

    def no_network(*args, **kwargs):
        calls.append(args)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket.socket, "connect_ex", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)

    rows = {r["source_path"]: r for r in document_rows(seeds, rules_path=RULES, max_bytes=1_000_000)}

    assert calls == [] and not marker.exists()
    # Policy (ingest.py): only text, JSON exports and HTML are read, as text; every other type is rejected.
    for name, suffix in (("model.pkl", ".pkl"), ("arr.npy", ".npy"), ("run.py", ".py"), ("run.sh", ".sh")):
        assert rows[name]["status"] == "rejected" and f"unsupported file type '{suffix}'" in rows[name]["error"]
    page = rows["page.html"]
    assert page["status"] == "ok" and page["text"].startswith("Kuwait has signed a contract")
    for debris in ("INJECTED", "fetch", "alert", "example.com", "http"):
        assert debris not in page["text"]
    assert rows["feed.jsonl:1"]["status"] == "ok" and rows["feed.jsonl:1"]["url"] == "http://example.com/a"


# --- 5. broken configuration ------------------------------------------------------------------------------------
def broken(tmp_path, edit) -> Path:
    import yaml

    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    edit(params)
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(params))
    return path


BROKEN = {
    "invalid YAML": (lambda p: None, "not valid YAML"),
    "missing group": (lambda p: p.pop("annotate"), "missing or malformed group 'annotate'"),
    "group not a mapping": (lambda p: p.update(clean=[1, 2]), "missing or malformed group 'clean'"),
    "missing setting": (lambda p: p["clean"].pop("max_bytes"), "missing setting 'clean.max_bytes'"),
    "wrong type": (lambda p: p["clean"].update(max_bytes="lots"), "'clean.max_bytes' must be a positive integer"),
    "wrong type (path)": (lambda p: p["relations"].update(rules=5), "'relations.rules' must be a file path"),
    "negative batch": (lambda p: p["annotate"].update(batch_size=-1), "'annotate.batch_size' must be a positive"),
    "no base model": (lambda p: p["model"].update(base=["no_such_model"]), "'model.base': no base spaCy model"),
    "missing gazetteers": (lambda p: p["model"].update(gazetteers="models/nope"), "'model.gazetteers': models/nope"
                           " not found"),
    "missing rules file": (lambda p: p["relations"].update(rules="nope.yaml"), "'relations.rules': nope.yaml not"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_broken_params_is_one_line_naming_the_file_and_nothing_is_written(tmp_path, monkeypatch, case):
    monkeypatch.delenv("DEFNEWS_BASE_MODEL", raising=False)
    edit, message = BROKEN[case]
    path = broken(tmp_path, edit)
    if case == "invalid YAML":
        path.write_text("model: [unclosed\nclean: {rules: x\n")
    res = run_pipeline("--params", path, "run", "--seeds", DEV_ARTICLES, "--out", tmp_path / "out", check=False)
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and res.stderr.startswith(f"error: {path}: ") and message in res.stderr
    assert "Traceback" not in res.stderr and not (tmp_path / "out").exists()


def test_a_missing_params_file_or_model_dir_is_one_line(tmp_path):
    res = run_pipeline("--params", tmp_path / "nope.yaml", "clean", "--seeds", DEV_ARTICLES, "--out",
                       tmp_path / "d.parquet", check=False)
    assert (res.returncode, res.stderr) == (2, f"error: {tmp_path / 'nope.yaml'}: not found\n")
    res = run_pipeline("entities", "--model", tmp_path / "nomodel", "--annotated", "a", "--documents", "d.parquet",
                       "--out-dir", tmp_path, check=False)
    assert res.returncode == 2 and res.stderr.count("\n") == 1, res.stderr
    assert res.stderr.startswith(f"error: {tmp_path / 'nomodel'}: no built pipeline here")
    res = run_pipeline("relations", "--annotated", tmp_path / "a", "--mentions", "m.parquet", "--out",
                       tmp_path / "r", check=False)
    assert res.returncode == 2 and res.stderr.count("\n") == 1, res.stderr
    assert res.stderr.startswith(f"error: {tmp_path / 'a' / 'index.parquet'}: no annotated documents here")


# --- 6. one failing document does not take the run down ---------------------------------------------------------
@pytest.mark.parametrize("stage", ["annotate", "entities", "relations"])
def test_a_document_failing_in_a_later_stage_is_rejected_and_the_run_goes_on(tmp_path, monkeypatch, params, stage):
    """Expected: the run completes; the failing document's row says status 'rejected', error '<stage> failed:
    <ExceptionType>: <message>'; it has no mentions or relations; the other documents are as in a run without it."""
    from spacy.language import Language

    import pipeline.entities as entities_core
    import pipeline.relations as relations_core
    from pipeline import stages

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(DEV_ARTICLES / "kuwait-tb2-2023.txt", seeds)
    (seeds / "bad.txt").write_text(BAD + "\n")

    def explode(text):
        if "EXPLODE_MARKER" in text:
            raise ValueError(f"{stage} exploded")

    if stage == "annotate":
        @Language.component("test_explode")
        def _explode(doc):
            explode(doc.text)
            return doc

        ending_with(monkeypatch, "test_explode")
    elif stage == "entities":
        import pipeline.annotate as annotate_core

        mentions = entities_core.doc_mentions
        monkeypatch.setattr(annotate_core, "doc_mentions", lambda doc_id, doc: explode(doc.text) or
                            mentions(doc_id, doc))
    else:
        extract = relations_core.extract_relations  # (patched where `doc_records` looks it up)
        monkeypatch.setattr(relations_core.records, "extract_relations", lambda doc, rules, **kw: explode(doc.text)
                            or extract(doc, rules, **kw))

    rows = stages.run_all(seeds, tmp_path / "out", params)

    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet").set_index("source_path")
    assert docs.status["bad.txt"] == "rejected"
    assert docs.error["bad.txt"].startswith(f"{stage} failed: ValueError: {stage} exploded")
    assert {r["source_path"]: r["status"] for r in rows} == {"bad.txt": "rejected", "kuwait-tb2-2023.txt": "ok"}
    bad_id, good_id = docs.doc_id["bad.txt"], docs.doc_id["kuwait-tb2-2023.txt"]
    for t in ("mentions", "relations"):
        table = pd.read_parquet(tmp_path / "out" / f"{t}.parquet")
        assert bad_id not in set(table.doc_id) and good_id in set(table.doc_id)
    ents = pd.read_parquet(tmp_path / "out" / "entities.parquet")
    assert (ents[ents.n_mentions > 0].n_docs == 1).all()  # only the good document counts (n_docs 0: a registry maker)


def test_a_worker_process_that_dies_costs_only_its_document(tmp_path, monkeypatch, params):
    """Expected: parsing over two worker processes, a document whose parse kills its worker (as a crash in native
    code or the OOM killer would) is rejected with 'annotate failed: the worker process died parsing it'; every
    other document's rows equal those of a one-process run without it."""
    from spacy.language import Language

    from pipeline import stages

    main = os.getpid()

    @Language.component("test_die")
    def _die(doc):
        if "EXPLODE_MARKER" in doc.text:
            if os.getpid() == main:  # must not happen with two workers; fail the test, not the test runner
                raise RuntimeError("parsed in the main process")
            os._exit(1)
        return doc

    ending_with(monkeypatch, "test_die")
    good, seeds, alone = poison_corpus(tmp_path)
    two = {**params, "annotate": {**params["annotate"], "workers": 2, "batch_size": 2}}
    one = {**params, "annotate": {**params["annotate"], "workers": 1}}

    rows = stages.run_all(seeds, tmp_path / "two", two)
    stages.run_all(alone, tmp_path / "one", one)

    assert {r["source_path"]: r["status"] for r in rows} == {"bad.txt": "rejected"} | {p.name: "ok" for p in good}
    docs = pd.read_parquet(tmp_path / "two" / "documents.parquet")
    assert docs.set_index("source_path").error["bad.txt"] == "annotate failed: the worker process died parsing it"
    assert_same_tables(tmp_path / "two", tmp_path / "one", without="bad.txt")
