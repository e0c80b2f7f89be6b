"""The annotate stage: runs the built spaCy pipeline over the cleaned documents and stores the parsed Docs.

Incremental: each document is keyed by its doc_id, text and the stage fingerprint (built model + this stage's
code, see `cache`); only documents whose key has no stored result are parsed. The output folder holds one DocBin
per document (`docs/KEY.spacy`), the documents' mention rows (`mentions.parquet`, a `cache.RowCache`) and
`index.parquet` (doc_id -> key, in document order), written last; files of keys no document has are removed.

A text longer than CHUNK_CHARS is parsed in pieces cut at paragraph breaks (in-document resolution, such as a
surname joining its full name, then works within each piece) and joined back, so no input can exceed spaCy's
max_length or the parser's memory. Docs are stored as spaCy DocBins (tokens, parse, sentences, resolved entities),
so the relations stage reads them without parsing again. This module never decides what an entity is; the
pipeline does. spaCy is imported only by the functions that parse or read Docs: the entities stage reads this
folder's tables without paying for it.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, NamedTuple

import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from . import cache
from .engine import Engine, parse_all
from .entities import doc_mentions
from .schemas import MENTIONS, RELATION_RECORD_SCHEMA
from .settings import ConfigError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

INDEX_SCHEMA = pa.schema([pa.field(name, pa.string(), nullable=False) for name in ("doc_id", "key", "relation_key")]
                         + [pa.field("error", pa.string())])  # why a document failed here (then it has no rows)


def _check_model(path: Path) -> Path:
    if not (path / "config.cfg").exists():
        raise ConfigError(f"{path}: no built pipeline here; run `dvc repro build_model` (or `make run`)")
    return path


def load_pipeline(path: str | Path) -> Language:
    path = _check_model(Path(path))
    import spacy

    from . import components  # noqa: F401  (registers the factories before a pipeline is loaded)

    return spacy.load(path)


CHUNK_CHARS = 50_000  # well below spaCy's max_length, and small enough for the parser's memory


def chunk_text(text: str, size: int = CHUNK_CHARS) -> list[str]:
    """Pieces of at most `size` characters that concatenate to `text` exactly, cut at paragraph breaks, else at
    line or sentence ends, else at a space, so no entity and no sentence is cut in two where it can be avoided."""
    pieces, start = [], 0
    while len(text) - start > size:
        window = text[start : start + size]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < size // 4:
            cut = max(window.rfind(". "), window.rfind(" "))
        cut = cut + 1 if cut >= size // 4 else size
        pieces.append(text[start : start + cut])
        start += cut
    pieces.append(text[start:])
    return pieces


def _pieces(texts: Iterable[tuple[str, str]]) -> Iterator[tuple[str, tuple[str, int, int]]]:
    for doc_id, text in texts:
        chunks = chunk_text(text)
        for i, piece in enumerate(chunks):
            yield piece, (doc_id, i, len(chunks))


def annotate(nlp: Language, texts: Iterable[tuple[str, str]], *, batch_size: int = 64) -> Iterator[tuple[str, Doc]]:
    """(doc_id, text) pairs in, (doc_id, Doc) pairs out, in the same order. Long texts are parsed in chunks
    and joined back into one Doc whose character offsets are those of the text."""
    from spacy.tokens import Doc

    parts: list[Doc] = []
    for doc, (doc_id, i, n) in nlp.pipe(_pieces(texts), as_tuples=True, batch_size=batch_size):
        parts.append(doc)
        if i == n - 1:
            yield doc_id, parts[0] if n == 1 else Doc.from_docs(parts, ensure_whitespace=False)
            parts = []


def doc_bytes(doc_id: str, doc: Doc) -> bytes:
    from spacy.tokens import DocBin

    doc.user_data["doc_id"] = doc_id
    db = DocBin(store_user_data=True)
    db.add(doc)
    return db.to_bytes()


def read_doc(path: str | Path, vocab: Vocab) -> Doc:
    from spacy.tokens import DocBin

    return next(iter(DocBin().from_bytes(Path(path).read_bytes()).get_docs(vocab)))


def blank_vocab() -> Vocab:
    """A vocabulary to read stored Docs with (their strings travel in the DocBin); no model load needed."""
    import spacy

    return spacy.blank("en").vocab


def model_fingerprint(model_path: str | Path) -> str:
    return cache.fingerprint(_check_model(Path(model_path)))


@dataclass
class Relate:
    """The relation rules the per-document pass applies (see `relations`), and their part of the cache key."""

    rules: object  # relations.Rules
    stage_fp: str
    published: dict = field(default_factory=dict)  # doc_id -> publication date


@dataclass
class Annotated:
    """What `annotate_corpus` did: keys in document order, how many documents were parsed, how many had their
    relations extracted, which failed and why (doc_id -> reason)."""

    index: list[dict]
    parsed: int = 0
    reused: int = 0
    related: int = 0
    failed: dict[str, str] = field(default_factory=dict)


def annotate_corpus(
    texts: list[tuple[str, str]], out_dir: str | Path, *, load_nlp: Callable[[], Language], model_fp: str,
    relate: Relate, batch_size: int = 64, engine: Engine = Engine(),
) -> Annotated:
    """The per-document pass: parse the documents whose key is new (their mentions and relation records are taken
    while the Doc is in memory), re-extract relation records from stored Docs whose relation key alone is new (a
    rules change), reuse the rest, and write the stage's folder (module docstring). `engine` says where the
    parsing runs (`engine.parse_all`); whichever runs it, the results and their keys are the same.

    A document the pipeline fails on is parsed again on its own; if it fails alone, it is reported in
    `Annotated.failed` and stored with no entities; a document the relation rules fail on gets no relations.
    Either way the run goes on."""
    out_dir = Path(out_dir)
    docs_dir = out_dir / "docs"
    stage_fp = cache.fingerprint(cache.code_fingerprint("annotate"), model_fp)
    index = [{"doc_id": doc_id, "key": cache.doc_key(stage_fp, doc_id, text)} for doc_id, text in texts]
    rel_keys = [cache.doc_key(relate.stage_fp, r["key"], relate.published.get(r["doc_id"])) for r in index]
    mentions = cache.RowCache(out_dir / "mentions.parquet", MENTIONS.schema, stage_fp)
    records = cache.RowCache(out_dir / "relation_records.parquet", RELATION_RECORD_SCHEMA, relate.stage_fp)
    todo, relate_only = [], []
    for (doc_id, text), row, rkey in zip(texts, index, rel_keys):
        if row["key"] not in mentions or not (docs_dir / f"{row['key']}.spacy").exists():
            todo.append(Todo(doc_id, text, row["key"], rkey, relate.published.get(doc_id)))
        elif rkey not in records:
            relate_only.append((doc_id, row["key"], rkey))
    result = Annotated(index, parsed=len(todo), reused=len(texts) - len(todo), related=len(todo) + len(relate_only))

    def extract(doc_id, doc, rkey):
        recs, error = _relation_records(doc_id, doc, relate, relate.published.get(doc_id))
        if error:
            result.failed.setdefault(doc_id, error)
        records.put(rkey, recs)

    for row in parse_all(todo, engine, load_nlp=load_nlp, relate=relate, docs_dir=docs_dir, batch_size=batch_size):
        mentions.put(row["key"], row["mentions"])
        records.put(row["rkey"], row["records"])
        if row["error"]:
            result.failed.setdefault(row["doc_id"], row["error"])
    if relate_only:
        vocab = blank_vocab()
        for doc_id, key, rkey in tqdm(relate_only, desc="relations", unit="doc", disable=None, file=sys.stderr):
            extract(doc_id, read_doc(docs_dir / f"{key}.spacy", vocab), rkey)
    keys = [row["key"] for row in index]
    # A failure is not cached: the document is tried again next run (its keys are left out of the caches).
    for r, rkey in zip(index, rel_keys):
        r["relation_key"], r["error"] = rkey, result.failed.get(r["doc_id"])
    mentions.save(keys, skip={r["key"] for r in index if r["error"]})
    records.save(rel_keys, skip={r["relation_key"] for r in index if r["error"]})
    cache.write_parquet(pa.Table.from_pylist(index, schema=INDEX_SCHEMA), out_dir / "index.parquet")
    _prune(docs_dir, {f"{k}.spacy" for k in keys})
    return result


def _relation_records(doc_id: str, doc: Doc, relate: Relate, published: str | None) -> tuple[list[dict], str | None]:
    from . import relations

    try:
        return relations.doc_records(doc_id, doc, relate.rules, published), None
    except Exception as exc:  # noqa: BLE001  (one document's bad luck, reported, never the run's)
        return [], f"relations failed: {type(exc).__name__}: {exc}"


# --- the per-batch function ---------------------------------------------------------------------------------
#
# A task is a list of `Todo`s for one `nlp.pipe` batch (or one long text). Whoever runs it (a worker of the local
# pool, a Dask worker, or this process when one task is all there is; see `engine`) parses, writes the DocBin, and
# takes the mentions and relation records while the Doc is in memory; only those small rows travel back.


class Todo(NamedTuple):
    """One document to parse: its id, text, cache keys (annotate's, relations') and publication date."""

    doc_id: str
    text: str
    key: str
    rkey: str
    published: str | None = None


@dataclass
class BatchRunner:
    """What a process running tasks holds: the loaded pipeline, the relation rules, where the DocBins go."""

    nlp: Language
    relate: Relate
    docs_dir: Path


def run_batch(runner: BatchRunner, task: list[Todo]) -> list[dict]:
    """Parse one task's documents and return each one's rows: {doc_id, key, rkey, mentions, records, error}. The one
    per-batch function of every engine: same task, same rows and files, wherever it runs."""
    failed: dict[str, str] = {}
    out = []
    batch = 1 if len(task) == 1 else len(task)  # (a long text alone: its chunks go through one at a time)
    for (doc_id, doc), t in _annotate_isolated(runner.nlp, task, batch, failed):
        cache.atomic_write_bytes(doc_bytes(doc_id, doc), Path(runner.docs_dir) / f"{t.key}.spacy", durable=False)
        error = failed.get(doc_id)
        try:
            rows = doc_mentions(doc_id, doc)
        except Exception as exc:  # noqa: BLE001
            rows, error = [], error or f"entities failed: {type(exc).__name__}: {exc}"
        recs, rel_error = _relation_records(doc_id, doc, runner.relate, t.published)
        out.append({"doc_id": doc_id, "key": t.key, "rkey": t.rkey, "mentions": rows, "records": recs,
                    "error": error or rel_error})
    return out


def died_row(t: Todo) -> dict:
    """The rows of a document whose parse killed the process running it (every engine reports it the same way)."""
    return {"doc_id": t.doc_id, "key": t.key, "rkey": t.rkey, "mentions": [], "records": [],
            "error": "annotate failed: the worker process died parsing it"}


def _annotate_isolated(nlp, todo: list[Todo], batch_size, failed) -> Iterator[tuple[tuple[str, Doc], Todo]]:
    """`annotate` over the documents in one process; after an error, the documents not yet done go one at a
    time, and one that fails alone is reported in `failed` and kept as bare tokens."""
    done = 0
    try:
        for pair, t in zip(annotate(nlp, ((t.doc_id, t.text) for t in todo), batch_size=batch_size), todo):
            yield pair, t
            done += 1
        return
    except Exception as exc:  # noqa: BLE001  (reported per document below)
        print(f"annotate: batch failed ({type(exc).__name__}: {exc}); retrying its documents one by one",
              file=sys.stderr)
    for t in todo[done:]:
        try:
            [pair] = list(annotate(nlp, [(t.doc_id, t.text)], batch_size=1))
        except Exception as exc:  # noqa: BLE001
            failed[t.doc_id] = f"annotate failed: {type(exc).__name__}: {exc}"
            pair = (t.doc_id, nlp.make_doc(t.text))
        yield pair, t


def _prune(folder: Path, keep: set[str]) -> None:
    if folder.exists():
        for p in folder.iterdir():
            if p.name not in keep:
                p.unlink(missing_ok=True)


def read_index(out_dir: str | Path) -> list[dict]:
    path = Path(out_dir) / "index.parquet"
    if not path.exists():
        raise FileNotFoundError(f"{path}: no annotated documents here; run the annotate stage first")
    return cache.read_parquet(path)


def _read_table(out_dir: str | Path, name: str, schema: pa.Schema, key: str) -> pa.Table:
    """Rows of one of the folder's caches for the indexed documents, in index order, as one Arrow table (no
    Python object per row); refuses a half-written folder (a cache that lacks an indexed document)."""
    index = read_index(out_dir)
    path = Path(out_dir) / name
    meta = pq.read_schema(path).metadata or {} if path.exists() else {}
    stored = cache.RowCache(path, schema, meta.get(b"stage_fingerprint", b"").decode())
    missing = [r["doc_id"] for r in index if r[key] not in stored and not r["error"]]
    if missing:
        raise ConfigError(f"{path}: no rows for {len(missing)} documents (e.g. {missing[0]}); re-run annotate")
    return stored.table(r[key] for r in index if not r["error"]).drop_columns(["key"])


def failures(out_dir: str | Path) -> dict[str, str]:
    """doc_id -> why the per-document pass failed on it."""
    return {r["doc_id"]: r["error"] for r in read_index(out_dir) if r["error"]}


def read_mentions(out_dir: str | Path) -> pa.Table:
    """The documents' mention rows (document-level entity ids), in document order."""
    return _read_table(out_dir, "mentions.parquet", MENTIONS.schema, "key")


def read_relation_records(out_dir: str | Path) -> pa.Table:
    """The documents' relation records (mention ids, not yet entity ids), in document order."""
    return _read_table(out_dir, "relation_records.parquet", RELATION_RECORD_SCHEMA, "relation_key")
