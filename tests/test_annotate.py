"""Annotation never fails on odd text, and long texts are parsed in pieces that keep every offset."""
from hypothesis import given, settings, strategies as st

import pipeline.annotate as annotate_mod
from conftest import SEED
from pipeline.annotate import annotate, chunk_text
from pipeline.entities import doc_mentions


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_annotation_and_mentions_never_raise_on_any_text(nlp, text):
    [(doc_id, doc)] = list(annotate(nlp, [("x", text)]))
    assert doc.text == text
    for m in doc_mentions(doc_id, doc):
        assert text[m["start_char"]:m["end_char"]] == m["text"]


@given(st.text(alphabet=st.sampled_from("ab .\n"), max_size=3000), st.integers(min_value=8, max_value=500))
def test_chunks_concatenate_to_the_text(text, size):
    chunks = chunk_text(text, size)
    assert "".join(chunks) == text and all(len(c) <= size for c in chunks)


def test_a_long_document_is_parsed_in_pieces_with_true_offsets(nlp, monkeypatch):
    monkeypatch.setattr(annotate_mod, "CHUNK_CHARS", 3000)
    text = "\n\n".join([SEED.read_text(encoding="utf-8")] * 5) + "\n" + "word " * 2000
    [(doc_id, doc)] = list(annotate(nlp, [("long", text)]))
    assert doc.text == text
    rows = doc_mentions(doc_id, doc)
    assert len([r for r in rows if r["entity_id"] == "COUNTRY:JPN"]) >= 5 * 8
    assert all(text[r["start_char"]:r["end_char"]] == r["text"] for r in rows)
