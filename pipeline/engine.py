"""Where the per-document pass runs: `local`, our own pool of forked processes (one machine), or `dask`, a Dask
distributed cluster (a local one the run starts and stops, or an existing one named by its scheduler address).

Both map the same per-batch function, `annotate.run_batch`, over the same batches (`tasks`), and each process
that runs batches holds the built pipeline once: a forked worker inherits it, a Dask worker loads it in a worker
plugin when it joins (and again only if it is restarted). So the per-document results, their cache files and
their keys are the same whichever engine made them, and a run on one reuses what a run on the other stored. This
module decides only where batches run and what happens when a process running one dies; it parses nothing and
is in no cache key. Why Dask and not Ray, and how a run spans machines: docs/scaling.md.

Failure handling is the same on both: a worker that dies (a crash in native code, the OOM killer, a killed
machine) loses its batch; the batch runs again (Dask: on another or a restarted worker), and a batch that kills
its worker twice is split, each document alone (on Dask a document lost alone runs once more with nothing else in
flight: tasks queue on a worker, so it may only have shared the worker with the one that killed it), so a document
that kills its worker on its own is reported failed ("annotate failed: the worker process died parsing it") and every other document completes.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from tqdm import tqdm

from .settings import ConfigError, available_cpus

if TYPE_CHECKING:
    from .annotate import Relate, Todo

ENGINES = ("local", "dask")


@dataclass(frozen=True)
class Engine:
    """params.yaml's `annotate.engine` and `annotate.address`, the process count, and (Dask) the built pipeline's
    folder, which every Dask worker must reach at that path (a local cluster: always; a cluster of several
    machines: a shared file system, like the per-document cache folder; docs/scaling.md)."""

    name: str = "local"
    address: str | None = None  # a running Dask scheduler; None: a local cluster of `workers` processes
    workers: int = 0  # processes (local pool or local cluster); 0 = every core this process may use
    model_dir: Path | None = None
    model_fp: str = ""  # names the pipeline the Dask workers hold, so a run with the same model reuses it

    def __post_init__(self):
        if self.name not in ENGINES:
            raise ConfigError(f"engine '{self.name}': must be one of {', '.join(ENGINES)}")


def tasks(todo: list[Todo], batch_size: int, workers: int) -> list[list[Todo]]:
    """Texts up to CHUNK_CHARS in batches (small enough that every worker gets several, so they finish together);
    each longer text a task of its own, so one huge article never puts many chunks in memory at once."""
    from .annotate import CHUNK_CHARS

    short = [t for t in todo if len(t.text) <= CHUNK_CHARS]
    size = max(1, min(batch_size, -(-len(short) // (4 * workers))))
    return [short[i : i + size] for i in range(0, len(short), size)] + [[t] for t in todo if len(t.text) > CHUNK_CHARS]


def parse_all(todo: list[Todo], engine: Engine, *, load_nlp: Callable, relate: Relate, docs_dir: Path,
              batch_size: int) -> Iterator[dict]:
    """The rows of every document of `todo` (`annotate.run_batch`), in the order their batches finish."""
    if not todo:
        return
    bar = tqdm(total=len(todo), desc="annotate", unit="doc", disable=None, file=sys.stderr)
    if engine.name == "dask":
        rows = _parse_on_dask(todo, engine, relate, docs_dir, batch_size)
    else:
        rows = _parse_locally(todo, engine.workers or available_cpus(), load_nlp, relate, docs_dir, batch_size)
    for row in rows:
        bar.update()
        yield row
    bar.close()


# --- local: a pool of processes forked with the pipeline loaded ------------------------------------------------
#
# spaCy's own `n_process` would send every Doc back to this process (tensors included) and leave the DocBin,
# mention and relation work to it, on a core the workers already use: measured 0.64 x the bare model's speed on 2
# cores. Workers are forked from this process once the pipeline is loaded, so they start at once with their copy
# of it; this process then lets go of the pipeline, so its own peak memory is not the model's.

_WORKER = None  # the annotate.BatchRunner of the process running tasks; inherited by forked workers


def _init_worker(parent: int) -> None:
    try:  # Linux: die with the parent, so a killed run leaves no worker writing behind it
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _run_task(task: list[Todo]) -> list[dict]:
    from .annotate import run_batch

    return run_batch(_WORKER, task)


def _parse_locally(todo, n_process, load_nlp, relate, docs_dir, batch_size) -> Iterator[dict]:
    """In this process when there is one task or one worker (a few new articles never pay for workers), else
    over up to `n_process` forked workers, at most two tasks each in flight. A worker that dies loses its tasks;
    their documents are tried again one at a time in a worker of their own, and a document that kills that one
    too is reported failed."""
    global _WORKER
    from .annotate import BatchRunner, died_row

    batches = tasks(todo, batch_size, n_process)
    workers = min(n_process, len(batches))
    if workers <= 1:
        _WORKER = BatchRunner(load_nlp(), relate, docs_dir)
        try:
            for task in batches:
                yield from _run_task(task)
        finally:
            _WORKER = None
        return
    lost: list = []
    pending = list(reversed(batches))
    while pending:
        with _pool(workers, load_nlp, relate, docs_dir) as pool:
            running: dict = {}
            try:
                while pending or running:
                    while pending and len(running) < 2 * workers:
                        task = pending.pop()
                        running[pool.submit(_run_task, task)] = task
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in done:
                        rows = future.result()
                        del running[future]
                        yield from rows
            except BrokenProcessPool:
                for future, task in running.items():
                    if future.done() and future.exception() is None:
                        yield from future.result()
                    else:
                        lost += task
    nlp = load_nlp() if lost else None
    for doc in lost:  # each alone in a fresh worker: the one that crashes it is named
        with _pool(1, lambda: nlp, relate, docs_dir) as pool:
            try:
                rows = pool.submit(_run_task, [doc]).result()
            except BrokenProcessPool:
                print(f"annotate: {doc.doc_id}: the worker process died parsing it", file=sys.stderr)
                rows = [died_row(doc)]
        yield from rows


@contextmanager
def _pool(workers: int, load_nlp, relate: Relate, docs_dir: Path) -> Iterator[ProcessPoolExecutor]:
    """`workers` processes forked with the pipeline loaded; once they are all started (a forking pool starts them
    at its first task), this process drops its reference to the pipeline."""
    global _WORKER
    from .annotate import BatchRunner

    _WORKER = BatchRunner(load_nlp(), relate, docs_dir)
    try:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_init_worker, initargs=(os.getpid(),))
        pool.submit(int).result()
    finally:
        _WORKER = None
    with pool:
        yield pool


# --- dask: batches mapped over a Dask distributed cluster ------------------------------------------------------
#
# The scheduler keeps no result: each finished batch's rows come back to this process, which adds them to the
# per-document caches (Arrow chunks, `cache.RowCache`), and the next batch is submitted; at most two batches per
# worker thread are in flight, so neither this process nor the scheduler ever holds the corpus's texts at once.

PLUGIN_PREFIX = "defnews-pipeline-"
ALLOWED_FAILURES = 1  # a batch whose worker dies runs again once, then its documents go one by one
# The Dask settings of a cluster this package starts. A local cluster hard-closes the nanny of a worker that has not
# re-registered `lost-worker-timeout` after its death (15 s by default), and never replaces it; a restarted worker
# imports spaCy and loads the pipeline first, which takes longer than that on a loaded machine, so the cluster
# would shrink for good. It waits 10 minutes instead (a nanny that cannot restart its worker closes by itself).
CLUSTER_CONFIG = {"distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
                  "distributed.deploy.lost-worker-timeout": "600s"}


def _worker_plugin_class():
    from distributed.diagnostics.plugin import WorkerPlugin

    class PipelineOnWorker(WorkerPlugin):
        """The built pipeline and the relation rules, loaded once per worker process: when the plugin is
        registered, and in every worker that joins or is restarted by its nanny afterwards."""

        def __init__(self, model_dir: str, relate):
            self.model_dir, self.relate, self.nlp = model_dir, relate, None

        def setup(self, worker):
            from .annotate import load_pipeline

            # (a run's scratch folder is gone once it ends; a worker joining later holds nothing until a run
            # registers its own plugin, which replaces this one)
            self.nlp = load_pipeline(self.model_dir) if Path(self.model_dir).is_dir() else None

        def teardown(self, worker):
            self.nlp = None

    return PipelineOnWorker


def _dask_batch(task: list[Todo], plugin: str, docs_dir: str) -> list[dict]:
    """The task a Dask worker runs: `annotate.run_batch` with the pipeline its plugin loaded."""
    from distributed import get_worker

    from .annotate import BatchRunner, run_batch

    held = get_worker().plugins[plugin]
    if held.nlp is None:
        raise ConfigError(f"engine dask: {held.model_dir}: no built pipeline here (is it shared with the workers?)")
    return run_batch(BatchRunner(held.nlp, held.relate, Path(docs_dir)), task)


def _plugins_on_scheduler(dask_scheduler=None) -> list[str]:
    return list(dask_scheduler.worker_plugins)


@contextmanager
def dask_client(address: str | None, workers: int) -> Iterator:
    """A client of the cluster at `address`, or of a local cluster of `workers` single-threaded worker processes
    (each under a nanny, which restarts it if it dies) started here and stopped on the way out."""
    import dask
    from distributed import Client, LocalCluster

    if address:
        try:
            client = Client(address, timeout=30)
        except (OSError, TimeoutError) as exc:
            raise ConfigError(f"engine dask: no scheduler at {address} ({type(exc).__name__}: {exc})") from None
        with client:
            yield client
        return
    with dask.config.set(CLUSTER_CONFIG):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            yield client


def _hold_pipeline(client, engine: Engine, relate: Relate) -> str:
    """Register the plugin that loads the pipeline on every worker, unless the cluster holds it already (a second
    run with the same model folder and rules on a long-lived cluster, as `dvc repro` makes, loads nothing); a plugin of another model or other
    rules is removed first, so a worker holds one pipeline. Returns the plugin's name."""
    from . import cache

    name = PLUGIN_PREFIX + cache.fingerprint(engine.model_fp, str(engine.model_dir), relate.stage_fp)[:24]
    held = [p for p in client.run_on_scheduler(_plugins_on_scheduler) if p.startswith(PLUGIN_PREFIX)]
    for other in held:
        if other != name:
            client.unregister_worker_plugin(other)
    if name not in held:
        client.register_plugin(_worker_plugin_class()(str(engine.model_dir), replace(relate, published={})),
                               name=name)
    return name


def _parse_on_dask(todo, engine: Engine, relate: Relate, docs_dir: Path, batch_size: int) -> Iterator[dict]:
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    from .annotate import died_row

    if engine.model_dir is None:
        raise ConfigError("engine dask: the workers need the built pipeline's folder (Engine.model_dir)")
    docs_dir.mkdir(parents=True, exist_ok=True)
    with dask_client(engine.address, engine.workers or available_cpus()) as client:
        plugin = _hold_pipeline(client, engine, relate)
        threads = max(1, sum(client.nthreads().values()))
        pending = list(reversed(tasks(todo, batch_size, threads)))
        # a document whose own task was lost may only have shared a worker with the one that killed it (tasks
        # queue on a worker): it runs again alone, nothing else in flight, before it is reported
        solo: list[list[Todo]] = []
        running, futures, alone = as_completed(), {}, set()

        def submit() -> None:
            while pending and len(futures) < 2 * threads:
                add(pending.pop())
            if not pending and not futures and solo:
                add(solo.pop(), single=True)

        def add(task, single: bool = False) -> None:
            # pure=False: a batch is run for its files as well as its rows, never taken from another run
            future = client.submit(_dask_batch, task, plugin, str(docs_dir), pure=False, retries=2)
            futures[future] = task
            if single:
                alone.add(future.key)
            running.add(future)

        submit()
        for future in running:
            task = futures.pop(future)
            try:
                rows = future.result()
            except KilledWorker:
                rows = []
                if len(task) > 1:  # each document alone: the one that kills its worker is named
                    pending += [[t] for t in reversed(task)]
                elif future.key not in alone:
                    solo.insert(0, task)
                else:
                    print(f"annotate: {task[0].doc_id}: the worker process died parsing it", file=sys.stderr)
                    rows = [died_row(task[0])]
            future.release()
            yield from rows
            submit()
