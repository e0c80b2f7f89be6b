"""Per-document caches, so a run costs what is new: results are keyed by content, never by run order or time.

A per-document stage (annotate, relations) keys each document by a hash of its content and of everything the
stage's result depends on: the stage's code, its rules and params, the built model (`fingerprint`). A key that was
computed before is reused, a new key is computed, a key no current document has is dropped when the stage writes.
Two stores:

- `RowCache`: one Parquet file of rows with a `key` column; the keys computed (including those that gave no row)
  and the stage fingerprint are in the file's metadata, so rows and the set of keys are replaced in one atomic
  rename. A file written under another fingerprint reads as empty: the stage recomputes everything.
- per-document files (`annotate` keeps one DocBin per document), written atomically, pruned by the stage.

Nothing here decides what a result is; it only remembers results.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from importlib.metadata import version
from pathlib import Path
from typing import Iterable

import pyarrow as pa
import pyarrow.parquet as pq

PACKAGE = Path(__file__).resolve().parent

# The modules whose code a stage's per-document results depend on (its own module and what it imports from us).
# dvc.yaml lists the same files as the stage's deps; a test keeps the two in step.
STAGE_CODE = {
    "annotate": ("annotate.py", "components.py", "entities.py", "gazetteer.py", "labels.py"),
    "relations": ("relations.py", "relations_dates.py", "relations_procurement.py", "entities.py", "gazetteer.py",
                  "labels.py"),
}


def _update_with_path(h, path: Path) -> None:
    if path.is_dir():
        for p in sorted(q for q in path.rglob("*") if q.is_file()):
            h.update(p.relative_to(path).as_posix().encode() + b"\0")
            h.update(p.read_bytes())
    else:
        h.update(path.read_bytes())


def fingerprint(*parts: str | Path | bytes) -> str:
    """SHA-256 over strings, bytes and the contents of files or whole directories (path names included)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(b"\x1e")
        if isinstance(part, Path):
            _update_with_path(h, part)
        elif isinstance(part, bytes):
            h.update(part)
        else:
            h.update(str(part).encode())
    return h.hexdigest()


def code_fingerprint(stage: str) -> str:
    """The stage's own code and the spaCy release that reads and writes its Docs."""
    return fingerprint(f"spacy {version('spacy')}", *(PACKAGE / name for name in STAGE_CODE[stage]))


def doc_key(stage_fp: str, *content: object) -> str:
    """Key of one document's result: the stage fingerprint plus the document's own content."""
    return fingerprint(stage_fp, *(json.dumps(c, default=str, ensure_ascii=False) for c in content))[:32]


def atomic_write_bytes(data: bytes, path: Path, *, durable: bool = True) -> None:
    """Write to a hidden temp file beside `path`, fsync, rename: readers see the old file or the new one.
    `durable=False` skips the fsync (per-document cache files: a killed process still leaves whole files, and
    a file lost to a power cut is only recomputed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_parquet(path: str | Path, columns: list[str] | None = None) -> list[dict]:
    """Rows of one Parquet file (ParquetFile, not read_table: that one imports pyarrow.dataset and pandas, a
    second of start-up that a stage processing one new article should not pay)."""
    return pq.ParquetFile(path).read(columns=columns).to_pylist()


def write_parquet(table: pa.Table, path: Path) -> None:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    atomic_write_bytes(sink.getvalue().to_pybytes(), path)


class RowCache:
    """Rows per document key in one Parquet file, valid for one stage fingerprint (see the module docstring)."""

    def __init__(self, path: str | Path, schema: pa.Schema, stage_fp: str):
        self.path = Path(path)
        self.schema = schema.append(pa.field("key", pa.string(), nullable=False))
        self.stage_fp = stage_fp
        self.rows: dict[str, list[dict]] = {}
        self._load()

    def _load(self) -> None:
        if not self.path.exists():
            return
        try:
            meta = pq.read_schema(self.path).metadata or {}
            if meta.get(b"stage_fingerprint", b"").decode() != self.stage_fp:
                return
            keys = json.loads(meta[b"keys"])
            table = pq.ParquetFile(self.path).read()
        except (OSError, KeyError, ValueError, pa.ArrowException):
            return  # unreadable or foreign: recompute everything
        grouped: dict[str, list[dict]] = defaultdict(list)
        for row in table.to_pylist():
            grouped[row.pop("key")].append(row)
        self.rows = {k: grouped.get(k, []) for k in keys}

    def __contains__(self, key: str) -> bool:
        return key in self.rows

    def get(self, key: str) -> list[dict]:
        return self.rows[key]

    def put(self, key: str, rows: Iterable[dict]) -> None:
        self.rows[key] = list(rows)

    def save(self, keys: Iterable[str], skip: set[str] = frozenset()) -> None:
        """Keep exactly `keys` (in this order; those in `skip` are not stored) and write the file atomically."""
        keys = [k for k in dict.fromkeys(keys) if k not in skip]
        rows = [{**r, "key": k} for k in keys for r in self.rows[k]]
        schema = self.schema.with_metadata({"stage_fingerprint": self.stage_fp, "keys": json.dumps(keys)})
        write_parquet(pa.Table.from_pylist(rows, schema=schema), self.path)
        self.rows = {k: self.rows[k] for k in keys}
