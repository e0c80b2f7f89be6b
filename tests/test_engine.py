"""The per-document pass on a Dask cluster (pipeline/engine.py): the same tables as the local pool, byte for byte,
on both gold sets; a worker killed mid-run is replaced and the run completes with the same tables; a document that
kills its worker fails alone; the per-document caches serve either engine. Real local clusters of 2 worker processes.
(The same check on a 2,000-article corpus is in the benchmark, `python -m pipeline.bench --only engine`: too slow
for the suite.)"""
from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import DEV2_ARTICLES, DEV_ARTICLES, TABLES, assert_same_tables, ending_with, poison_corpus
from pipeline import stages
from pipeline.engine import CLUSTER_CONFIG, Engine

distributed = pytest.importorskip("distributed")
POISON = Path(__file__).with_name("engine_poison.py")


def assert_same_files(a: Path, b: Path) -> None:
    """Every table of `a` equals the one of `b`, as frames and as Parquet bytes (the rows are written sorted)."""
    for name in TABLES:
        pd.testing.assert_frame_equal(pd.read_parquet(a / f"{name}.parquet"), pd.read_parquet(b / f"{name}.parquet"))
        assert (a / f"{name}.parquet").read_bytes() == (b / f"{name}.parquet").read_bytes(), name


@pytest.fixture(scope="module")
def cluster():
    """A cluster of 2 single-threaded worker processes under nannies (a killed worker is restarted), the
    poison component importable on every worker; a batch may lose its worker once, and a lost worker is waited for, as in the run's own cluster."""
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set(CLUSTER_CONFIG):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                          preload=[str(POISON)]) as c, Client(c) as client:
            yield c, client


@pytest.fixture(scope="module")
def dev2_local(tmp_path_factory, params):
    out = tmp_path_factory.mktemp("dev2_local")
    stages.run_all(DEV2_ARTICLES, out, params)
    return out


def test_a_run_on_its_own_local_cluster_gives_the_local_tables(tmp_path, params, dev_run):
    """Expected: `run --engine dask` with no address starts a cluster of 2 workers, parses there, stops it, and
    writes tables identical to the local pool's on the dev set."""
    stages.run_all(DEV_ARTICLES, tmp_path / "out", params, engine=Engine("dask", workers=2))
    assert_same_files(tmp_path / "out", dev_run)
    assert not (tmp_path / "out" / ".interim").exists()


def test_a_worker_killed_mid_run_is_replaced_and_the_tables_are_the_same(tmp_path, params, cluster, dev2_local):
    """Expected: on dev2 (24 articles, 8 batches over 2 workers), a worker SIGKILLed while it runs a batch is
    restarted by its nanny, its batch runs again, and every table equals the local run's."""
    c, client = cluster
    out = tmp_path / "out"
    engine = Engine("dask", address=c.scheduler_address)
    errors: list = []

    def run():
        try:
            stages.run_all(DEV2_ARTICLES, out, params, engine=engine)
        except BaseException as exc:  # noqa: BLE001  (re-raised below, in the test's thread)
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    killed = None
    deadline = time.monotonic() + 300
    while thread.is_alive() and killed is None and time.monotonic() < deadline:
        busy = [w for w, keys in client.processing().items() if any("_dask_batch" in k for k in keys)]
        if busy and any((out / ".interim" / "annotated" / "docs").glob("*.spacy")):  # (a batch done, one running)
            killed = client.run(os.getpid, workers=[busy[0]])[busy[0]]
            os.kill(killed, signal.SIGKILL)
        time.sleep(0.05)
    was_running = thread.is_alive()
    thread.join(600)
    assert not errors, errors
    assert killed is not None and was_running, "no worker was killed while the run was parsing"
    client.wait_for_workers(2, timeout=120)
    assert killed not in client.run(os.getpid).values()  # (the nanny started a new process)
    assert_same_files(out, dev2_local)


def test_a_document_that_kills_its_worker_fails_alone(tmp_path, monkeypatch, params, cluster):
    """Expected: a document whose parse kills the Dask worker (again on every retry) is rejected with 'annotate
    failed: the worker process died parsing it'; the other documents' tables equal those of a local run without
    it, and the cluster has its 2 workers back."""
    c, client = cluster
    spec = importlib.util.spec_from_file_location("engine_poison", POISON)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))  # registers the component here too
    good, seeds, alone = poison_corpus(tmp_path)
    stages.run_all(alone, tmp_path / "local", {**params, "annotate": {**params["annotate"], "workers": 1}})
    ending_with(monkeypatch, "test_engine_die")
    two = {**params, "annotate": {**params["annotate"], "batch_size": 2}}

    rows = stages.run_all(seeds, tmp_path / "dask", two, engine=Engine("dask", address=c.scheduler_address))

    assert {r["source_path"]: r["status"] for r in rows} == {"bad.txt": "rejected"} | {p.name: "ok" for p in good}
    docs = pd.read_parquet(tmp_path / "dask" / "documents.parquet")
    assert docs.set_index("source_path").error["bad.txt"] == "annotate failed: the worker process died parsing it"
    assert_same_tables(tmp_path / "dask", tmp_path / "local", without="bad.txt")
    client.wait_for_workers(2, timeout=120)


def test_the_per_document_caches_serve_either_engine(tmp_path, params, cluster, built_model):
    """Expected: with the built model folder (the DVC extract stage's way), the engine parses only what the local
    pool has not stored, and the local pool then parses nothing of what the engine stored; the tables equal a
    local run's."""
    c, _ = cluster
    model = built_model
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    articles = sorted(DEV_ARTICLES.iterdir())
    for path in articles[:4]:
        shutil.copy(path, seeds / path.name)
    interim = tmp_path / "interim"

    def annotate(engine: Engine):
        stages.run_clean(seeds, interim / "documents.parquet", rules_path=params["clean"]["rules"],
                         max_bytes=params["clean"]["max_bytes"])
        return stages.run_annotate(interim / "documents.parquet", model, params["relations"]["rules"],
                                   interim / "annotated", batch_size=params["annotate"]["batch_size"], engine=engine)

    local, dask_engine = Engine("local", workers=1), Engine("dask", address=c.scheduler_address)
    assert annotate(local).parsed == 4
    for path in articles[4:]:
        shutil.copy(path, seeds / path.name)
    first = annotate(dask_engine)
    assert (first.parsed, first.reused) == (len(articles) - 4, 4)
    again = annotate(local)
    assert again.parsed == 0
    stages.run_extract(seeds, model, interim, tmp_path / "tables", params, engine=dask_engine)
    stages.run_extract(seeds, model, tmp_path / "interim-local", tmp_path / "tables-local", params, engine=local)
    assert_same_files(tmp_path / "tables", tmp_path / "tables-local")
