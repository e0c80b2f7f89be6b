"""Benchmark: `python -m pipeline.bench [--n 2000]` (or `make bench`). Prints figures, never asserts.

Builds a corpus of N articles from the real texts in `seeds/` and `data/gold/dev/articles/` (each article a fresh,
seeded draw of their paragraphs, about 500 words, so every article is distinct text of real news prose) and, in
one run on this machine:

(a) raw `nlp.pipe` words/s of the bare base model over the same cleaned texts, with the same process count and
    batch size the pipeline uses;
(b) the whole pipeline (`python -m pipeline run`: clean, build, annotate, entities, relations, tables) in words/s,
    and b/a;
(c) `dvc repro` of the corpus in a scratch copy of the project (model already built), then after adding one
    article, and their ratio; and the fixed start-up cost: `spacy.load` of the built pipeline vs the bare base model
    (`--only repro` runs this part alone);
(d) peak memory of (b) at N and at N/4: RSS of the largest single process, and PSS summed over the process tree
    (spaCy's worker processes included), sampled every 0.1 s;
(e) one JSON Lines export of 200 MB (50,000 records of the same paragraphs, about 4 KB of text each) through the
    clean step (`python -m pipeline clean`: streamed, decoded, cleaned, language, MinHash and duplicate check):
    time and peak RSS, at N/4 and N records, and the clean step again after adding one article to each (the new
    article is hashed and checked against the stored signatures) (`--only export` runs this part alone);
(f) the same corpus as (b) on the Dask engine (`run --engine dask`, a local cluster of as many workers as (b) has
    processes, started and stopped by the run): words/s, its ratio to (b), words/s per worker, and whether its 7
    tables equal (b)'s byte for byte; the engine's fixed cost (a 1-article corpus on each engine); the driver's peak
    RSS (the `run` process alone, against a cluster started beforehand by the benchmark) at N and 4N articles and
    its linear extrapolation to 100N (`--only engine` runs this part alone, with its own local run for (b)).

Words are whitespace-separated tokens of the cleaned texts. Targets (issue 6): b/a >= 0.85; one-article repro
<= 5% of the full repro; peak RSS <= 1.5 GiB at N and at most 10% above N/4; (issue 14) the 200 MB export under
1.5 GiB; (issue 15) engine / local >= 0.8 on 2 cores.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = (ROOT / "seeds", ROOT / "data" / "gold" / "dev" / "articles")
GIB = 1024**3


def paragraphs() -> list[str]:
    """Body paragraphs of the real articles, cleaned by our own cleaner (no debris in the benchmark corpus)."""
    from .clean import clean_text, load_rules
    from .ingest import read_seeds
    from .settings import load_params

    params = load_params(ROOT / "params.yaml")
    rules = load_rules(ROOT / params["clean"]["rules"])
    out = []
    for folder in SOURCES:
        for raw in read_seeds(folder, max_bytes=params["clean"]["max_bytes"]):
            if raw.text:
                out += [p.strip() for p in clean_text(raw.text, rules).text.split("\n\n") if len(p.split()) >= 8]
    return sorted(set(out))


def build_corpus(folder: Path, n: int, words: int = 500, seed: int = 0) -> int:
    """Write n articles (title line + paragraphs until `words`) to folder; returns the number of words."""
    pool = paragraphs()
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(n):
        body, count = [], 0
        while count < words:
            p = rng.choice(pool)
            body.append(p)
            count += len(p.split())
        text = f"Defence brief {i:05d}\n\n" + "\n\n".join(body) + "\n"
        (folder / f"article-{i:05d}.txt").write_text(text, encoding="utf-8")
        total += count
    return total


class TreeRSS:
    """Peak of the summed PSS of a process and its descendants, sampled from /proc (PSS, not RSS: spaCy's worker
    processes are forked and share the model's pages; summing their RSS would count those pages twice)."""

    def __init__(self, pid: int, every: float = 0.1):
        self.pid, self.every, self.peak = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    ppid = int(Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children.setdefault(ppid, []).append(int(d))
        out, todo = [], [self.pid]
        while todo:
            p = todo.pop()
            out.append(p)
            todo += children.get(p, [])
        return out

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            for p in self._tree():
                try:
                    for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                        if line.startswith("Pss:"):
                            total += int(line.split()[1]) * 1024
                except OSError:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(self.every)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


WRAP = """
import resource, subprocess, sys
rc = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL).returncode
open(sys.argv[1], "w").write(f"{rc} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024}")
"""


def timed(cmd: list[str], cwd: Path, env: dict | None = None) -> tuple[float, int, int]:
    """Run a command; (seconds, peak RSS of its largest process, peak RSS of its process tree)."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as out:
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", WRAP, out.name, *cmd], cwd=cwd, env=env,
                                stderr=subprocess.PIPE, text=True)
        tree = TreeRSS(proc.pid)
        _, err = proc.communicate()
        seconds = time.perf_counter() - t
        peak_tree = tree.stop()
        rc, largest = (int(x) for x in out.read().split())
    if rc or proc.returncode:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed ({rc}):\n{err[-3000:]}")
    return seconds, largest, peak_tree


RAW = """
import sys, time, pyarrow.parquet as pq, spacy
from pipeline.settings import base_model_name, load_params
p = load_params("params.yaml")
texts = [r["text"] for r in pq.read_table(sys.argv[1]).to_pylist() if r["status"] == "ok"]
nlp = spacy.load(base_model_name(p["model"]["base"]))
t = time.perf_counter()
for _ in nlp.pipe(texts, batch_size=int(sys.argv[3]), n_process=int(sys.argv[2])):
    pass
print(time.perf_counter() - t)
"""


def build_export(path: Path, records: int = 50_000, size: int = 200_000_000, seed: int = 0) -> int:
    """One JSON Lines export of `records` articles of about size/records bytes each; returns its size in bytes."""
    import json

    pool = paragraphs()
    rng = random.Random(seed)
    per_record = size // records
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(records):
            body, n = [], 0
            while n < per_record - 200:
                p = rng.choice(pool)
                body.append(p)
                n += len(p.encode()) + 2
            fh.write(json.dumps({"title": f"Defence brief {i:05d}", "published": "2026-01-07",
                                 "source": {"name": "Bench Wire"}, "url": f"https://example.org/{i}",
                                 "text": "\n\n".join(body)}, ensure_ascii=False) + "\n")
    return path.stat().st_size


def export_figure(work: Path, env: dict, records: int = 50_000) -> None:
    """(e): the export through clean, cold, at records/4 and at records; then one new article added to each,
    cleaned against the stored signatures (the incremental duplicate check), to show its cost per new article."""
    for n in (records // 4, records):
        folder = work / f"export-{n}"
        folder.mkdir(parents=True, exist_ok=True)
        size = build_export(folder / "feed.jsonl", n, size=n * 4000)
        cmd = [sys.executable, "-m", "pipeline", "clean", "--seeds", str(folder), "--out",
               str(work / f"export-{n}-documents.parquet"), "--cache", str(work / f"export-{n}-cache.parquet")]
        sec, largest, tree = timed(cmd, ROOT, env)
        print(f"(e) export:         {size / 1e6:.0f} MB, {n:,} records through clean in {sec:.1f} s "
              f"({n / sec:,.0f} records/s); peak RSS {largest / GIB:.2f} GiB, process tree PSS {tree / GIB:.2f} GiB "
              f"(target <= 1.5 GiB)")
        same, _, _ = timed(cmd, ROOT, env)
        build_corpus(work / f"export-{n}-one", 1, seed=n + 7)
        shutil.copy(work / f"export-{n}-one" / "article-00000.txt", folder / "new-article.txt")
        again, _, _ = timed(cmd, ROOT, env)
        print(f"    again, nothing new: clean {same:.1f} s (reads the export, every record found in the cache); one "
              f"article added to the {n:,} stored: {again:.1f} s, so the new article costs {again - same:+.1f} s "
              "(cleaned, hashed, checked against the stored signatures)")


TABLES = ("documents", "mentions", "entities", "relations", "facts", "procurements", "roles")

SCHEDULER = """
import sys, dask
from distributed import LocalCluster
from pipeline.engine import CLUSTER_CONFIG
dask.config.set(CLUSTER_CONFIG)  # (for the process's life: the lost-worker timeout is read when a worker dies)
cluster = LocalCluster(n_workers=int(sys.argv[1]), threads_per_worker=1, processes=True, dashboard_address=None)
print(cluster.scheduler_address, flush=True)
sys.stdin.read()  # until the benchmark closes the pipe
cluster.close()
"""


def engine_figures(work: Path, env: dict, n: int, words: int, workers: int, local_sec: float | None = None) -> None:
    """(f): see the module docstring. `local_sec`: (b)'s time on the same corpus, else measured here."""
    py = sys.executable
    run = [py, "-m", "pipeline", "run", "--workers", str(workers)]
    if local_sec is None:
        local_sec, _, _ = timed([*run, "--seeds", str(work / "corpus"), "--out", str(work / "run")], ROOT, env)
    sec, _, tree = timed([*run, "--engine", "dask", "--seeds", str(work / "corpus"), "--out", str(work / "run-dask")],
                         ROOT, env)
    same = [t for t in TABLES if (work / "run" / f"{t}.parquet").read_bytes()
            == (work / "run-dask" / f"{t}.parquet").read_bytes()]
    print(f"(f) dask engine:    {words / sec:9,.0f} words/s ({sec:.1f} s, {workers} workers, cluster started by the run)"
          f"   engine/local = {local_sec / sec:.2f} (target >= 0.8); local {words / local_sec:,.0f} words/s "
          f"({local_sec:.1f} s)")
    print(f"    per worker:     {words / sec / workers:9,.0f} words/s; process tree peak PSS {tree / GIB:.2f} GiB; "
          f"tables equal to local, byte for byte: {len(same)}/{len(TABLES)}"
          + ("" if len(same) == len(TABLES) else f" (differ: {', '.join(t for t in TABLES if t not in same)})"))
    build_corpus(work / "one", 1, seed=n + 1)
    one = {name: timed([*run, "--engine", name, "--seeds", str(work / "one"), "--out", str(work / f"one-{name}")],
                       ROOT, env)[0] for name in ("local", "dask")}
    print(f"    fixed cost:     1 article: local {one['local']:.1f} s, dask {one['dask']:.1f} s "
          f"(+{one['dask'] - one['local']:.1f} s: cluster start, workers loading the saved pipeline, stop)")
    big = work / "corpus-4n"
    big_words = build_corpus(big, 4 * n)  # (same seed: its first N articles are those of (b))
    proc = subprocess.Popen([py, "-c", SCHEDULER, str(workers)], cwd=ROOT, env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        address = proc.stdout.readline().strip()
        driver = {}
        for label, corpus, count in (("N", work / "corpus", words), ("4N", big, big_words)):
            sec, largest, _ = timed([*run, "--engine", "dask", "--address", address, "--seeds", str(corpus), "--out",
                                     str(work / f"run-driver-{label}")], ROOT, env)
            driver[label] = largest
            print(f"    driver, {label:>2}:     {4 * n if label == '4N' else n:,} articles, {count / sec:,.0f} words/s "
                  f"({sec:.1f} s) on a running cluster; driver peak RSS {largest / GIB:.3f} GiB")
    finally:
        proc.stdin.close()
        proc.wait(60)
    per_n = (driver["4N"] - driver["N"]) / 3
    print(f"    driver memory:  N {driver['N'] / GIB:.3f} GiB, 4N {driver['4N'] / GIB:.3f} GiB "
          f"({driver['4N'] / driver['N'] - 1:+.1%}); linear to 100N = {100 * n:,} articles: "
          f"{(driver['N'] + 99 * per_n) / GIB:.2f} GiB ({per_n / n / 1024:.1f} KiB per article)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline.bench", description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000, help="articles in the corpus (default 2000)")
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temp folder)")
    ap.add_argument("--only", choices=["export", "engine", "repro"], help="run only this part: export = figure (e), "
                                                                           "engine = figure (f), repro = figure (c)")
    ap.add_argument("--export-records", type=int, default=50_000, help="records in the export of (e), 4 KB each")
    args = ap.parse_args(argv)

    from .annotate import chunk_text  # noqa: F401  (fails early if the package is broken)
    from .settings import available_cpus, load_params

    params = load_params(ROOT / "params.yaml")
    workers = params["annotate"]["workers"] or available_cpus()
    batch = params["annotate"]["batch_size"]
    work = args.keep or Path(tempfile.mkdtemp(prefix="defnews-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    py = sys.executable
    env = {**os.environ, "DVC_NO_ANALYTICS": "1", "PATH": f"{Path(py).parent}:{os.environ.get('PATH', '')}"}
    try:
        if args.only == "export":
            export_figure(work, env, args.export_records)
            return 0
        words = build_corpus(work / "corpus", args.n)
        if args.only == "repro":
            print(f"corpus: {args.n} articles, {words:,} words; {workers} processes; {platform.node()}, "
                  f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
            repro_figure(work, env, args.n)
            return 0
        if args.only == "engine":
            print(f"corpus: {args.n} articles, {words:,} words; {workers} workers, batch {batch}; "
                  f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
            engine_figures(work, env, args.n, words, workers)
            return 0
        quarter = work / "corpus-quarter"
        quarter.mkdir(exist_ok=True)
        for f in sorted((work / "corpus").iterdir())[: args.n // 4]:
            shutil.copy(f, quarter / f.name)
        print(f"corpus: {args.n} articles, {words:,} words; {workers} processes, batch {batch}; "
              f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")

        b_sec, b_largest, b_tree = timed([py, "-m", "pipeline", "run", "--seeds", str(work / "corpus"), "--out",
                                          str(work / "run")], ROOT, env)
        raw = subprocess.run([py, "-c", RAW, str(work / "run" / "documents.parquet"), str(workers), str(batch)],
                             cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        a_sec = float(raw.stdout.strip().splitlines()[-1])
        print(f"(a) raw nlp.pipe:   {words / a_sec:9,.0f} words/s ({a_sec:.1f} s)")
        print(f"(b) full pipeline:  {words / b_sec:9,.0f} words/s ({b_sec:.1f} s, clean to tables)"
              f"   b/a = {a_sec / b_sec:.2f} (target >= 0.85)")

        q_sec, q_largest, q_tree = timed([py, "-m", "pipeline", "run", "--seeds", str(quarter), "--out",
                                          str(work / "run-quarter")], ROOT, env)

        repro_figure(work, env, args.n)
        print(f"(d) peak memory:    N={args.n}: largest process RSS {b_largest / GIB:.2f} GiB, process tree PSS "
              f"{b_tree / GIB:.2f} GiB; N/4: {q_largest / GIB:.2f} GiB, {q_tree / GIB:.2f} GiB; N vs N/4: "
              f"{b_largest / q_largest - 1:+.1%} largest, {b_tree / q_tree - 1:+.1%} tree (target <= 1.5 GiB, <= +10%)")
        print(f"    (N/4 run: {q_sec:.1f} s)")
        export_figure(work, env, args.export_records)
        engine_figures(work, env, args.n, words, workers, local_sec=b_sec)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


LOAD = """
import sys, time
t = time.perf_counter()
import spacy
import pipeline.components  # (what `python -m pipeline` imports before loading the model)
t1 = time.perf_counter()
spacy.load(sys.argv[1])
print(t1 - t, time.perf_counter() - t1)
"""


def repro_figure(work: Path, env: dict, n: int) -> None:
    """(c): `dvc repro` of the corpus in a scratch copy of the project (model already built), then after adding
    one article; and the fixed start-up cost in it: loading the built pipeline vs the bare base model (best of 3
    fresh processes each)."""
    from .settings import base_model_name, load_params

    py = sys.executable
    project = work / "project"
    _copy_project(project)
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    timed(["dvc", "repro", "-q"], project, env)  # the model and the evaluate stage, on the seed
    shutil.rmtree(project / "seeds")
    shutil.copytree(work / "corpus", project / "seeds")
    extra = project / "seeds" / "article-zz-new.txt"
    build_corpus(work / "one", 1, seed=n + 1)
    full, _, _ = timed(["dvc", "repro", "-q"], project, env)
    shutil.copy(work / "one" / "article-00000.txt", extra)
    one, _, _ = timed(["dvc", "repro", "-q"], project, env)
    print(f"(c) dvc repro:      full {full:.1f} s, after adding 1 article {one:.1f} s"
          f"   ratio = {one / full:.1%} (target <= 5%)")
    base = base_model_name(load_params(ROOT / "params.yaml")["model"]["base"])
    loads = {}
    for label, model in (("bare", base), ("built", str(project / "models" / "defnews_sm"))):
        runs = [subprocess.run([py, "-c", LOAD, model], cwd=ROOT, env=env, capture_output=True, text=True,
                               check=True).stdout.split() for _ in range(3)]
        loads[label] = min(runs, key=lambda r: float(r[1]))
    print(f"    start-up:       spacy.load of the built pipeline {float(loads['built'][1]):.2f} s, of the bare {base} "
          f"{float(loads['bare'][1]):.2f} s (+{float(loads['built'][1]) - float(loads['bare'][1]):.2f} s; "
          f"import spacy {float(loads['bare'][0]):.2f} s; best of 3 fresh processes)")


def _copy_project(dst: Path) -> None:
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout.splitlines()
    for f in files:
        src = ROOT / f
        if src.is_file() and f != "dvc.lock" and not f.startswith("data/eval"):
            (dst / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst / f)


if __name__ == "__main__":
    sys.exit(main())
