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
import pyarrow.compute as pc
import pyarrow.parquet as pq

PACKAGE = Path(__file__).resolve().parent

# The modules whose code a stage's per-document results depend on (its own module and what it imports from us).
# dvc.yaml lists the same files as the stage's deps; a test keeps the two in step.
STAGE_CODE = {
    "clean": ("clean.py", "dedupe.py", "language.py", "stages.py"),  # (stages.py: the documents fields are made there)
    "annotate": ("annotate.py", "components.py", "entities.py", "gazetteer.py", "labels.py"),
    "relations": ("relations", "entities.py", "gazetteer.py", "labels.py"),  # (a package: its *.py files)
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
    return fingerprint(f"spacy {version('spacy')}", *(_code_files(PACKAGE / name) for name in STAGE_CODE[stage]))


def _code_files(path: Path) -> bytes | Path:
    """A module, or a package's modules with their names (never its __pycache__, which Python rewrites)."""
    if not path.is_dir():
        return path
    return b"".join(p.name.encode() + b"\0" + p.read_bytes() for p in sorted(path.glob("*.py")))


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
    """Rows per document key in one Parquet file, valid for one stage fingerprint (see the module docstring).

    Rows stay Arrow tables, stored and new alike: new rows are gathered in Arrow chunks of FLUSH_ROWS, so a run's
    memory holds columns, not a Python dict per row, and a run that adds one document filters and appends
    columns. No stored row becomes a Python object unless a reader asks for it (`get`)."""

    FLUSH_ROWS = 4096

    def __init__(self, path: str | Path, schema: pa.Schema, stage_fp: str):
        self.path = Path(path)
        self.schema = schema.append(pa.field("key", pa.string(), nullable=False))
        self.stage_fp = stage_fp
        self.stored: pa.Table | None = None
        self.stored_keys: set[str] = set()
        self.new_keys: set[str] = set()
        self._pending: list[dict] = []  # new rows not yet in a chunk
        self._chunks: list[pa.Table] = []
        self._grouped: dict[str, list[dict]] | None = None
        self._stored_order: list[str] = []  # the stored keys in file order (rows are grouped in it)
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
            if table.schema.remove_metadata() != self.schema:
                return
        except (OSError, KeyError, ValueError, pa.ArrowException):
            return  # unreadable or foreign: recompute everything
        self.stored, self.stored_keys, self._stored_order = table, set(keys), keys

    def __contains__(self, key: str) -> bool:
        return key in self.new_keys or key in self.stored_keys

    def _new_table(self) -> pa.Table:
        self._flush()
        return pa.concat_tables([pa.Table.from_pylist([], schema=self.schema), *self._chunks])

    def _flush(self) -> None:
        if self._pending:
            self._chunks.append(pa.Table.from_pylist(self._pending, schema=self.schema))
            self._pending = []

    def get(self, key: str) -> list[dict]:
        if key in self.new_keys:  # (rare: a key put in this run asked for again)
            table = self._new_table()
            return table.filter(pc.equal(table["key"], key)).drop_columns(["key"]).to_pylist()
        if key not in self.stored_keys:
            return []
        if self._grouped is None:  # the stored rows by key, made once
            self._grouped = defaultdict(list)
            for row in self.stored.to_pylist():
                self._grouped[row.pop("key")].append(row)
        return self._grouped.get(key, [])

    def put(self, key: str, rows: Iterable[dict]) -> None:
        """The rows of `key` (replacing any put before)."""
        if key in self.new_keys:
            table = self._new_table()
            self._chunks = [table.filter(pc.not_equal(table["key"], key))]
        self.new_keys.add(key)
        self._pending += [{**r, "key": key} for r in rows]
        if len(self._pending) >= self.FLUSH_ROWS:
            self._flush()

    def table(self, keys: Iterable[str]) -> pa.Table:
        """The rows of `keys`, grouped in that order (a key's rows keep their order), as one Arrow table."""
        keys = list(dict.fromkeys(keys))
        if not self.new_keys and keys == self._stored_order:  # (a reader after a save: the file is that order)
            return self.stored
        order = pa.array(keys, pa.string())
        parts = [self._new_table()]
        if self.stored is not None:
            kept = [k for k in keys if k in self.stored_keys and k not in self.new_keys]
            parts.append(self.stored.filter(pc.is_in(self.stored["key"], value_set=pa.array(kept, pa.string()))))
        table = pa.concat_tables(parts)  # (no copy: chunks side by side)
        position = pc.index_in(table["key"], value_set=order)  # null: a key not asked for
        rows = pc.sort_indices(position)[: len(position) - position.null_count]  # (stable; nulls sort last)
        return table.take(rows)  # one copy, grouped by key in `keys` order, a key's rows in their order

    def save(self, keys: Iterable[str], skip: set[str] = frozenset()) -> None:
        """Keep exactly `keys` (in this order; those in `skip` are not stored) and write the file atomically."""
        keys = [k for k in dict.fromkeys(keys) if k not in skip and k in self]
        table = self.table(keys).replace_schema_metadata(
            {"stage_fingerprint": self.stage_fp, "keys": json.dumps(keys)})
        write_parquet(table, self.path)
        self.stored, self.stored_keys, self.new_keys, self._pending, self._chunks = table, set(keys), set(), [], []
        self._grouped, self._stored_order = None, keys
