"""The same article twice: exact and near-duplicate documents by their cleaned text.

`signature(text, shingle_words)` is a document's MinHash (datasketch, NUM_PERM permutations, fixed seed) over its
word shingles, as bytes: computed once per document by the clean stage and kept with its cleaned fields in the
clean cache, so a run re-hashes only new documents. `find_duplicates(docs, threshold, shingle_words)` walks the ok
documents in path order; each is
- an exact duplicate of the first earlier document with the same cleaned text (the cleaner has already decoded it,
  normalised Unicode to NFC and line ends to LF, and removed page debris), else
- a near-duplicate of the first earlier kept document whose word-shingle Jaccard similarity is at least `threshold`
  (a wire story republished with its own headline, debris or a changed sentence). Candidates come from a MinHash
  LSH index of the kept documents' stored signatures (banded at a lower threshold, so few true pairs are missed);
  each candidate's similarity is then computed exactly on the two shingle sets, so what is reported is measured,
  not estimated.
A duplicate is not indexed: a third copy is compared with the document kept, not with another copy.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

NUM_PERM = 128
SEED = 1
_WORD = re.compile(r"\w+")


def shingles(text: str, k: int) -> set[bytes]:
    """The set of k-word shingles of the text (lower-cased words); a text of fewer words is one shingle."""
    words = _WORD.findall(text.lower())
    if len(words) <= k:
        return {" ".join(words).encode()}
    return {" ".join(words[i : i + k]).encode() for i in range(len(words) - k + 1)}


def signature(text: str, k: int) -> bytes:
    from datasketch import MinHash  # imported here: only a run with new documents pays for it

    m = MinHash(num_perm=NUM_PERM, seed=SEED)
    m.update_batch(sorted(shingles(text, k)))
    return m.hashvalues.tobytes()


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


@dataclass(frozen=True)
class Document:
    doc_id: str
    path: str
    text: str
    signature: bytes


@dataclass(frozen=True)
class Duplicate:
    of: str  # doc_id of the kept document
    error: str


def find_duplicates(docs: list[Document], threshold: float, k: int) -> dict[str, Duplicate]:
    """doc_id -> Duplicate for every duplicate among `docs` (given in path order); see the module docstring."""
    if len(docs) < 2:
        return {}
    import numpy as np
    from datasketch import LeanMinHash, MinHash, MinHashLSH

    template = MinHash(num_perm=NUM_PERM, seed=SEED)  # (the scheme and dtype our signatures were made with)
    lsh = MinHashLSH(threshold=max(0.5, threshold - 0.1), num_perm=NUM_PERM)
    by_text: dict[str, Document] = {}
    kept: dict[str, tuple[int, Document]] = {}
    found: dict[str, Duplicate] = {}

    @lru_cache(maxsize=256)
    def shingles_of(doc_id: str) -> frozenset:
        return frozenset(shingles(kept[doc_id][1].text, k))

    for position, doc in enumerate(docs):
        text_key = hashlib.sha256(doc.text.encode()).hexdigest()
        first = by_text.get(text_key)
        if first is not None:
            found[doc.doc_id] = Duplicate(first.doc_id, f"duplicate of {first.path} (doc_id {first.doc_id}): the "
                                                         "same text after decoding and cleaning")
            continue
        by_text[text_key] = doc
        minhash = LeanMinHash(seed=SEED, hashvalues=np.frombuffer(doc.signature, dtype=template.hashvalues.dtype),
                              scheme=template.scheme)
        candidates = sorted((kept[c] for c in lsh.query(minhash)), key=lambda pair: pair[0])
        if candidates:
            own = shingles(doc.text, k)
            for _, other in candidates:  # the first in path order that is similar enough
                similarity = jaccard(own, shingles_of(other.doc_id))
                if similarity >= threshold:
                    found[doc.doc_id] = Duplicate(other.doc_id, f"near-duplicate of {other.doc_id} {other.path} "
                                                                f"(similarity {similarity:.2f})")
                    break
            if doc.doc_id in found:
                continue
        kept[doc.doc_id] = (position, doc)
        lsh.insert(doc.doc_id, minhash)
    return found
