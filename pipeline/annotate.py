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

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from . import cache
from .entities import doc_mentions
from .schemas import MENTIONS
from .settings import ConfigError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

INDEX_SCHEMA = pa.schema([pa.field("doc_id", pa.string(), nullable=False), pa.field("key", pa.string(), nullable=False)])


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


def annotate(
    nlp: Language, texts: Iterable[tuple[str, str]], *, batch_size: int = 64, n_process: int = 1
) -> Iterator[tuple[str, Doc]]:
    """(doc_id, text) pairs in, (doc_id, Doc) pairs out, in the same order. Long texts are parsed in chunks
    and joined back into one Doc whose character offsets are those of the text."""
    from spacy.tokens import Doc

    n_process = n_process or os.cpu_count() or 1
    parts: list[Doc] = []
    for doc, (doc_id, i, n) in nlp.pipe(_pieces(texts), as_tuples=True, batch_size=batch_size, n_process=n_process):
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
class Annotated:
    """What `annotate_corpus` did: keys in document order, how many were parsed, which failed and why."""

    index: list[dict]
    parsed: int = 0
    reused: int = 0
    failed: dict[str, str] = field(default_factory=dict)


def annotate_corpus(
    texts: list[tuple[str, str]], out_dir: str | Path, *, load_nlp: Callable[[], Language], model_fp: str,
    batch_size: int = 64, n_process: int = 1,
) -> Annotated:
    """Parse the documents whose key is new, reuse the rest, and write the stage's folder (module docstring).

    A document the pipeline fails on is parsed again on its own; if it fails alone, it is reported in
    `Annotated.failed` (doc_id -> reason) and stored with no entities, and the run goes on."""
    out_dir = Path(out_dir)
    docs_dir = out_dir / "docs"
    stage_fp = cache.fingerprint(cache.code_fingerprint("annotate"), model_fp)
    index = [{"doc_id": doc_id, "key": cache.doc_key(stage_fp, doc_id, text)} for doc_id, text in texts]
    mentions = cache.RowCache(out_dir / "mentions.parquet", MENTIONS.schema, stage_fp)
    todo = [
        (doc_id, text, row["key"]) for (doc_id, text), row in zip(texts, index)
        if row["key"] not in mentions or not (docs_dir / f"{row['key']}.spacy").exists()
    ]
    result = Annotated(index, parsed=len(todo), reused=len(texts) - len(todo))
    if todo:
        nlp = load_nlp()
        n_process = n_process or os.cpu_count() or 1
        # one process per batch_size documents at most: a few new articles never pay for starting workers
        n_process = max(1, min(n_process, len(todo) // batch_size))
        bar = tqdm(total=len(todo), desc="annotate", unit="doc", disable=None, file=sys.stderr)
        for (doc_id, doc), key in _annotate_isolated(nlp, todo, batch_size, n_process, result.failed):
            cache.atomic_write_bytes(doc_bytes(doc_id, doc), docs_dir / f"{key}.spacy")
            mentions.put(key, doc_mentions(doc_id, doc))
            bar.update()
        bar.close()
    keys = [row["key"] for row in index]
    mentions.save(keys)
    cache.write_parquet(pa.Table.from_pylist(index, schema=INDEX_SCHEMA), out_dir / "index.parquet")
    _prune(docs_dir, {f"{k}.spacy" for k in keys})
    return result


def _annotate_isolated(nlp, todo, batch_size, n_process, failed) -> Iterator[tuple[tuple[str, Doc], str]]:
    """`annotate` over the whole stream; after an error, the documents not yet done go one at a time."""
    done = 0
    try:
        for pair, (_, _, key) in zip(annotate(nlp, ((d, t) for d, t, _ in todo), batch_size=batch_size,
                                              n_process=n_process), todo):
            yield pair, key
            done += 1
        return
    except Exception as exc:  # noqa: BLE001  (reported per document below)
        print(f"annotate: batch failed ({type(exc).__name__}: {exc}); retrying its documents one by one",
              file=sys.stderr)
    for doc_id, text, key in todo[done:]:
        try:
            [pair] = list(annotate(nlp, [(doc_id, text)], batch_size=1, n_process=1))
        except Exception as exc:  # noqa: BLE001
            failed[doc_id] = f"annotate failed: {type(exc).__name__}: {exc}"
            pair = (doc_id, nlp.make_doc(text))
        yield pair, key


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


def read_mentions(out_dir: str | Path) -> list[dict]:
    """The documents' mention rows (document-level entity ids), in index order; refuses a half-written folder."""
    index = read_index(out_dir)
    path = Path(out_dir) / "mentions.parquet"
    meta = pq.read_schema(path).metadata or {}
    stored = cache.RowCache(path, MENTIONS.schema, meta.get(b"stage_fingerprint", b"").decode())
    missing = [r["doc_id"] for r in index if r["key"] not in stored]
    if missing:
        raise ConfigError(f"{path}: no mentions for {len(missing)} documents (e.g. {missing[0]}); re-run annotate")
    return [m for r in index for m in stored.get(r["key"])]
