"""The built pipeline is one directory that plain `spacy.load(path)` opens in a fresh process."""
import json
import subprocess
import sys

import pytest
import spacy

from conftest import DEV_ARTICLES, ROOT, SEED
from pipeline.components import IndexedAttributeRuler
from pipeline.settings import base_model_name
from pipeline.stages import run_build_model


def test_saved_pipeline_loads_without_our_imports(tmp_path, params):
    out = run_build_model(params["model"]["base"], params["model"]["gazetteers"], tmp_path / "defnews_sm")
    code = (
        "import json, spacy, sys\n"
        f"nlp = spacy.load({str(out)!r})\n"
        "doc = nlp('Turkish Defence Minister Yasar Guler praised the Bayraktar TB2.')\n"
        "print(json.dumps([nlp.pipe_names, [(e.text, e.label_, e.kb_id_) for e in doc.ents],\n"
        "                  type(nlp.get_pipe('attribute_ruler')).__name__]))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    names, ents, ruler = json.loads(res.stdout)
    assert ruler == "IndexedAttributeRuler"
    assert names[-1] == "defnews_entity_resolver"
    assert names[0] == "registry_ruler" and names.index("pattern_ruler") < names.index("ner")
    assert ["Bayraktar TB2", "WEAPON_SYSTEM", "WEAPON_SYSTEM:bayraktar-tb2"] in ents
    assert ["Yasar Guler", "PERSON", "PERSON:yasar-guler"] in ents
    assert (out / "defnews_entity_resolver" / "weapon_systems.jsonl").exists()
    assert not list(tmp_path.glob(".*.tmp"))


def test_missing_model_is_one_clear_error(tmp_path):
    res = subprocess.run([sys.executable, "-m", "pipeline", "annotate", "--documents", "x.parquet", "--model",
                          str(tmp_path / "nope"), "--out", str(tmp_path / "a.spacy")], cwd=ROOT,
                         capture_output=True, text=True)
    assert res.returncode == 2
    assert res.stderr.strip().startswith("error:") and "no built pipeline" in res.stderr
    assert "Traceback" not in res.stderr


def test_broken_params_is_one_clear_error(tmp_path):
    bad = tmp_path / "params.yaml"
    bad.write_text("model: [unclosed\n")
    res = subprocess.run([sys.executable, "-m", "pipeline", "--params", str(bad), "run", "--seeds", "seeds",
                          "--out", str(tmp_path / "o")], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 2 and "not valid YAML" in res.stderr and "Traceback" not in res.stderr


@pytest.fixture(scope="module")
def base(params):
    return spacy.load(base_model_name(params["model"]["base"]))


def test_indexed_attribute_ruler_matches_spacys_on_real_articles(nlp, base):
    """Expected: the built pipeline's attribute ruler is ours, has the base model's patterns, and gives the same
    matches and every token the same tag, POS, morphology and lemma as spaCy's AttributeRuler."""
    ours = nlp.get_pipe("attribute_ruler")
    assert isinstance(ours, IndexedAttributeRuler) and ours._pattern_index() is not None
    assert ours.patterns == base.get_pipe("attribute_ruler").patterns
    texts = [p.read_text(encoding="utf-8") for p in sorted(DEV_ARTICLES.iterdir())] + [SEED.read_text()]
    names = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"]
    with nlp.select_pipes(enable=names), base.select_pipes(enable=names):
        a, b = list(nlp.pipe(texts)), list(base.pipe(texts))
    assert sum(map(len, a)) > 5_000
    for x, y in zip(a, b):
        assert ours.match(x) == base.get_pipe("attribute_ruler").match(y)
        assert [(t.tag_, t.pos_, str(t.morph), t.lemma_) for t in x] == [(t.tag_, t.pos_, str(t.morph), t.lemma_)
                                                                         for t in y]


def test_indexed_attribute_ruler_falls_back_to_the_matcher_for_what_it_cannot_index(base):
    """Expected: a pattern with an operator makes the ruler use spaCy's Matcher, with spaCy's result."""
    ruler = IndexedAttributeRuler(base.vocab)
    ruler.add_patterns(base.get_pipe("attribute_ruler").patterns)
    assert ruler._pattern_index() is not None
    ruler.add([[{"LOWER": "very", "OP": "+"}, {"TAG": "JJ"}]], {"LEMMA": "VERY"}, index=0)
    assert ruler._pattern_index() is None
    doc = base("It was very very good.", disable=["attribute_ruler", "lemmatizer"])
    expected = base.get_pipe("attribute_ruler").match(doc)
    matches = ruler.match(doc)
    assert matches[: len(expected)] == expected
    assert [(s, e) for a, _, s, e in matches[len(expected) :]] == [(2, 5), (3, 5)]
    ruler(doc)
    assert doc[2].lemma_ == "VERY"


def test_the_registry_ruler_loads_its_saved_keys_into_the_same_matcher(tmp_path, params, monkeypatch):
    """The registry ruler loads its phrase patterns from the token keys saved at build time, tokenising none of
    them, and gives the same patterns, entity ids and matches (same order) as spaCy's EntityRuler loading the same
    patterns.jsonl; keys that are not those of the patterns.jsonl beside them are ignored."""
    import shutil

    from spacy.pipeline import EntityRuler

    from pipeline.components import KeyedEntityRuler

    out = run_build_model(params["model"]["base"], params["model"]["gazetteers"], tmp_path / "defnews_sm")
    calls = []
    monkeypatch.setattr(EntityRuler, "add_patterns", lambda self, p: calls.append(p) or None)
    nlp = spacy.load(out)
    monkeypatch.undo()
    ours = nlp.get_pipe("registry_ruler")
    assert isinstance(ours, KeyedEntityRuler) and calls == [] and len(ours) > 1000
    spacys = EntityRuler(nlp, "reference").from_disk(out / "registry_ruler")
    assert ours.patterns == spacys.patterns and ours._ent_ids == spacys._ent_ids
    texts = [p.read_text(encoding="utf-8") for p in sorted(DEV_ARTICLES.glob("*.txt"))[:8]]
    for doc in nlp.tokenizer.pipe(texts):
        assert ours.match(doc) == spacys.match(doc)
        assert list(ours.phrase_matcher(doc)) == list(spacys.phrase_matcher(doc))
    stale = tmp_path / "stale"
    shutil.copytree(out / "registry_ruler", stale)
    with open(stale / "patterns.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"label": "ORG", "pattern": "Zyx Aerospace Works"}) + "\n")
    again = KeyedEntityRuler(nlp, "stale").from_disk(stale)
    assert again.patterns[-1] == {"label": "ORG", "pattern": "Zyx Aerospace Works"}
    assert len(again) == len(ours) + 1
