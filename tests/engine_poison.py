"""Imported by the test process and preloaded by the Dask workers of test_engine.py: a pipeline component that kills
its process on a marker, as a crash in native code or the OOM killer would (a worker spawned by Dask imports no
test module by itself)."""
import os

from distributed import get_worker
from spacy.language import Language


@Language.component("test_engine_die")
def die(doc):
    if "EXPLODE_MARKER" in doc.text:
        get_worker()  # (raises outside a Dask worker: the test process must never parse)
        os._exit(1)
    return doc
