"""The duplicate check's MinHash and LSH banding (pipeline/dedupe.py, NumPy only) against datasketch's, which they
reproduce: the same signature bytes, the same band parameters, the same candidates and so the same duplicates."""
import random

import numpy as np
import pytest

datasketch = pytest.importorskip("datasketch")
from datasketch.lsh import _optimal_param  # noqa: E402

from pipeline.dedupe import NUM_PERM, SEED, Document, find_duplicates, lsh_bands, shingles, signature  # noqa: E402

WORDS = ("the ministry said contract jets army navy air force ordered delivered radar missile system defence "
         "minister signed deal with for of in on at by two new first").split()


def texts(n, seed=0):
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 300))) for _ in range(n)]


def test_the_signature_is_datasketchs_minhash():
    for text in texts(200) + ["", "one", "a b c d e", "Ünïcode wörds, twice twice"]:
        m = datasketch.MinHash(num_perm=NUM_PERM, seed=SEED)
        m.update_batch(sorted(shingles(text, 5)))
        assert signature(text, 5) == m.hashvalues.tobytes(), text


@pytest.mark.parametrize("threshold", [0.5 + i * 0.05 for i in range(9)])
def test_the_bands_are_datasketchs(threshold):
    assert lsh_bands(threshold) == _optimal_param(threshold, NUM_PERM, 0.5, 0.5)


def test_the_candidates_and_duplicates_are_those_of_datasketchs_lsh():
    base = texts(60, seed=1)
    rng = random.Random(2)
    docs = []
    for i, text in enumerate(base + [t.replace(rng.choice(WORDS), rng.choice(WORDS), 3) for t in base[:30]]
                             + base[:5]):
        docs.append(Document(f"d{i:03d}", f"{i:03d}.txt", text, signature(text, 5)))
    threshold = 0.8
    lsh = datasketch.MinHashLSH(threshold=max(0.5, threshold - 0.1), num_perm=NUM_PERM)
    bands, rows = lsh_bands(max(0.5, threshold - 0.1))
    assert (lsh.b, lsh.r) == (bands, rows)
    found = find_duplicates(docs, threshold, 5)
    assert len(found) >= 5 + 10  # the exact copies, and near-duplicates
    # the reference: datasketch's index over the documents kept, queried in path order
    ref = {}
    for doc in docs:
        m = datasketch.LeanMinHash(seed=SEED, hashvalues=np.frombuffer(doc.signature, dtype="uint32"),
                                   scheme="affine32")
        same = [o for o in docs[: docs.index(doc)] if o.text == doc.text]
        if same:
            ref[doc.doc_id] = same[0].doc_id
            continue
        for c in sorted(lsh.query(m)):
            other = next(o for o in docs if o.doc_id == c)
            a, b = shingles(doc.text, 5), shingles(other.text, 5)
            if len(a & b) / len(a | b) >= threshold:
                ref[doc.doc_id] = c
                break
        else:
            lsh.insert(doc.doc_id, m)
    assert {d: dup.of for d, dup in found.items()} == ref
