"""The annotate stage: runs the built spaCy pipeline over the cleaned documents and stores the parsed Docs.

Docs are stored as a spaCy DocBin (tokens, parse, sentences, resolved entities), so the entities and relations
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


def annotate(
    nlp: Language, texts: Iterable[tuple[str, str]], *, batch_size: int = 64, n_process: int = 1
) -> Iterator[tuple[str, Doc]]:
    """(doc_id, text) pairs in, (doc_id, Doc) pairs out, in the same order."""
    n_process = n_process or os.cpu_count() or 1
    pairs = ((text, doc_id) for doc_id, text in texts)
    for doc, doc_id in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size, n_process=n_process):
        yield doc_id, doc


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
