"""The annotate stage: runs the built spaCy pipeline over the cleaned documents and stores the parsed Docs.

A text longer than CHUNK_CHARS is parsed in pieces cut at paragraph breaks (in-document resolution, such as a
surname joining its full name, then works within each piece) and joined back, so no input can exceed spaCy's
max_length or the parser's memory. Docs are stored as a spaCy DocBin (tokens, parse, sentences, resolved entities), so the entities and relations
stages read them without parsing again. This module never decides what an entity is; the pipeline does.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin

from . import components  # noqa: F401  (registers the factories before a pipeline is loaded)
from .settings import ConfigError


def load_pipeline(path: str | Path) -> Language:
    path = Path(path)
    if not (path / "config.cfg").exists():
        raise ConfigError(f"{path}: no built pipeline here; run `dvc repro build_model` (or `make run`)")
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
    n_process = n_process or os.cpu_count() or 1
    parts: list[Doc] = []
    for doc, (doc_id, i, n) in nlp.pipe(_pieces(texts), as_tuples=True, batch_size=batch_size, n_process=n_process):
        parts.append(doc)
        if i == n - 1:
            yield doc_id, parts[0] if n == 1 else Doc.from_docs(parts, ensure_whitespace=False)
            parts = []


def save_docs(docs: Iterable[tuple[str, Doc]], path: str | Path) -> Path:
    """Write a DocBin atomically; each Doc carries its doc_id in user_data."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = DocBin(store_user_data=True)
    for doc_id, doc in docs:
        doc.user_data["doc_id"] = doc_id
        db.add(doc)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        db.to_disk(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def load_docs(path: str | Path, nlp: Language) -> Iterator[tuple[str, Doc]]:
    for doc in DocBin().from_disk(path).get_docs(nlp.vocab):
        yield doc.user_data["doc_id"], doc
