"""The same article twice: exact and near-duplicate documents by their cleaned text.

`signature(text, shingle_words)` is a document's MinHash (NUM_PERM permutations, fixed seed) over its word shingles,
as bytes: computed once per document by the clean stage and kept with its cleaned fields in the
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

The MinHash and the LSH banding are datasketch's (MinHash's default "affine32" scheme, MinHashLSH's band count
and width for the threshold), written out here in NumPy: importing datasketch imports SciPy (0.6 s, which every
run paid for the duplicate check). tests/test_dedupe.py checks both against datasketch, value for value.
"""
from __future__ import annotations

import hashlib
import re
import struct
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
    """datasketch's `MinHash(num_perm=NUM_PERM, seed=SEED)` updated with the shingles, its `hashvalues` as bytes."""
    import numpy as np

    a, b = _permutations()
    hv = np.array([struct.unpack("<I", hashlib.sha1(s).digest()[:4])[0] for s in sorted(shingles(text, k))],
                  dtype=np.uint32).reshape(-1, 1)
    hv = hv ^ (hv >> np.uint32(16))  # the MurmurHash3 finalizer, then h -> a * h + b mod 2^32 per permutation
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    hv = hv ^ (hv >> np.uint32(16))
    return (hv * a + b).min(axis=0).astype(np.uint32).tobytes()


@lru_cache(maxsize=1)
def _permutations():
    import numpy as np

    gen = np.random.RandomState(SEED)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    return a, gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)


@lru_cache(maxsize=None)
def lsh_bands(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """(bands, rows per band) minimising the false positive + false negative probability at `threshold`, equal
    weights (datasketch's `MinHashLSH` parameters). The integrands are polynomials of degree bands * rows <=
    num_perm, so Gauss-Legendre with num_perm // 2 + 1 nodes integrates them exactly."""
    import numpy as np

    x, w = np.polynomial.legendre.leggauss(num_perm // 2 + 1)
    lo, hi = threshold * (x + 1) / 2, threshold + (1 - threshold) * (x + 1) / 2
    best, opt = float("inf"), (0, 0)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = threshold / 2 * np.dot(w, 1 - (1 - lo**r) ** b)
            fn = (1 - threshold) / 2 * np.dot(w, (1 - hi**r) ** b)
            if fp * 0.5 + fn * 0.5 < best:
                best, opt = fp * 0.5 + fn * 0.5, (b, r)
    return opt


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
    bands, rows = lsh_bands(max(0.5, threshold - 0.1))
    index: list[dict[bytes, list[str]]] = [{} for _ in range(bands)]  # per band: its values -> doc_ids
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
        band_keys = [doc.signature[4 * rows * i : 4 * rows * (i + 1)] for i in range(bands)]  # (uint32 values)
        candidates = sorted((kept[c] for c in {c for band, key in zip(index, band_keys) for c in band.get(key, ())}),
                            key=lambda pair: pair[0])
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
        for band, key in zip(index, band_keys):
            band.setdefault(key, []).append(doc.doc_id)
    return found
