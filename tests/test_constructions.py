"""The construction catalogue (tests/constructions/*.yaml, loaded by pipeline.catalogue) run through the real
pipeline: every sentence gives its triples with their polarity and none of its `absent` ones as positive statements.
Sentences marked `xfail` are known gaps: strict, so a fixed one fails until its mark comes off."""
from __future__ import annotations

import pytest

from conftest import DEV2_ARTICLES, DEV_ARTICLES, ROOT
from pipeline.catalogue import NEGATION_KIND, coverage, load_catalogue, readme_with_coverage
from pipeline.evaluate import norm
from pipeline.labels import PREDICATES
from pipeline.relations import extract_relations

CATALOGUE = load_catalogue()
EXAMPLES = [e for c in CATALOGUE for e in c.examples]
MIN_CONSTRUCTIONS, MIN_SENTENCES, MIN_PROCUREMENT_NEGATIONS = 8, 2, 6


def names(span) -> set[str]:
    """What a catalogue name may say for an argument: its text, its canonical key, the key's tail (an ISO code)."""
    key = span.kb_id_ or ""
    return {norm(span.text), norm(key), norm(key.split(":", 1)[-1]), norm(key.split(":", 1)[-1]).replace(" ", "")}


def found(nlp, rules, text) -> list[tuple]:
    return [(names(r.subject), r.predicate, names(r.object), "negated" if r.negated else "positive")
            for r in extract_relations(nlp(text), rules)]


def has(out, s, p, o, polarity) -> bool:
    s, o = norm(s), norm(o)
    return any(p == rp and pol == polarity and ((s in rs and o in ro) or (p in SYMMETRIC and s in ro and o in rs))
               for rs, rp, ro, pol in out)


SYMMETRIC = {"meets", "cooperates_with", "fights"}


@pytest.mark.parametrize("ex", EXAMPLES, ids=[f"{e.predicate}:{e.construction}:{e.text[:40]}" for e in EXAMPLES])
def test_catalogue_sentence(nlp, rules, ex, request):
    if ex.xfail:
        request.applymarker(pytest.mark.xfail(reason=ex.xfail, strict=True))
    out = found(nlp, rules, ex.text)
    missing = [t for t in ex.triples if not has(out, *t)]
    wrong = [t for t in ex.absent if has(out, *t, "positive")]
    assert not missing and not wrong, f"missing {missing}, output though absent {wrong}; got {out}"


def test_every_predicate_has_its_constructions():
    cov = coverage(CATALOGUE)
    for p in PREDICATES:
        assert cov[p]["constructions"] >= MIN_CONSTRUCTIONS, (p, cov[p])
    for c in CATALOGUE:
        assert len(c.examples) >= MIN_SENTENCES, (c.predicate, c.name)
    negations = sum(cov[p]["negative forms"] for p in ("procures", "considers_procuring"))
    assert negations >= MIN_PROCUREMENT_NEGATIONS
    for c in CATALOGUE:
        if c.kind == NEGATION_KIND:
            assert all(any(t[3] == "negated" for t in e.triples) or e.absent for e in c.examples), c.name


def test_catalogue_sentences_are_in_no_gold_article():
    gold = [norm(p.read_text(encoding="utf-8")) for d in (DEV_ARTICLES, DEV2_ARTICLES) for p in d.iterdir()]
    for e in EXAMPLES:
        assert not any(norm(e.text) in g for g in gold), e.text


def test_readme_shows_the_catalogue_coverage():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_with_coverage(readme) == readme
