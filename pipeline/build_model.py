"""The build_model stage: en_core_web_sm plus our components, saved as one spaCy pipeline directory.

The result opens anywhere with `spacy.load(path)` once this package is installed (its factories are registered
through the `spacy_factories` entry point). Relation extraction is not part of it: relations are their own stage so
that a rule change never re-runs the parser.
"""
from __future__ import annotations

import json
from pathlib import Path

import spacy
from spacy.language import Language

from . import components  # noqa: F401  (registers the factories)
from .gazetteer import Registry, read_jsonl
from .settings import base_model_name

PIPELINE_NAME = "defnews_sm"
PATTERN_FILES = ("weapon_patterns.jsonl", "place_patterns.jsonl", "org_patterns.jsonl")


def build_pipeline(base: list[str] | str, gazetteer_dir: str | Path) -> Language:
    """Load the base model and add the paragraph guard, the registry entity ruler and the entity resolver."""
    gazetteer_dir = Path(gazetteer_dir)
    name = base_model_name(base)
    nlp = spacy.load(name)
    if "attribute_ruler" in nlp.pipe_names:  # same patterns and result, indexed matching (components.py)
        patterns = nlp.get_pipe("attribute_ruler").patterns
        nlp.replace_pipe("attribute_ruler", "defnews_attribute_ruler")
        nlp.get_pipe("attribute_ruler").add_patterns(patterns)
    nlp.add_pipe("defnews_paragraph_guard", before="parser")
    # Two rulers. Registry names are phrase patterns on the text alone, so their ruler runs first: spaCy re-parses
    # phrase patterns with every component before their ruler whenever the pipeline loads (4 s with the parser in
    # front, 0.2 s here; our ruler saves the patterns' token keys, so its load makes no Doc at all,
    # `components.KeyedEntityRuler`). Designation and place patterns are token patterns (some need POS): a second
    # ruler after the tagger adds them, winning over the registry names they contain ("RAF Akrotiri" over "RAF"; see
    # `components.longest_ents_filter`). The NER then keeps both and fills the rest.
    registry = Registry.from_dir(gazetteer_dir)
    phrase = nlp.add_pipe("defnews_entity_ruler", name="registry_ruler", first=True,  # (EntityRuler, keys saved)
                          config={"overwrite_ents": True, "validate": True})
    token = nlp.add_pipe("span_ruler", name="pattern_ruler", before="ner",  # the longest of both rulers' spans wins
                         config={"spans_key": None, "annotate_ents": True, "overwrite": False, "validate": True,
                                 "ents_filter": {"@misc": "defnews.longest_ents_filter.v1"}})
    patterns = registry.ruler_patterns()
    for file in PATTERN_FILES:
        patterns += read_jsonl(gazetteer_dir / file)
    with nlp.select_pipes(disable=nlp.pipe_names):  # phrase patterns need the tokenizer only
        phrase.add_patterns([p for p in patterns if isinstance(p["pattern"], str)])
        token.add_patterns([p for p in patterns if not isinstance(p["pattern"], str)])
    resolver = nlp.add_pipe("defnews_entity_resolver", after="ner")
    resolver.initialize(gazetteer_dir=str(gazetteer_dir))
    nlp.meta["name"] = PIPELINE_NAME
    nlp.meta["description"] = f"{name} with the defnews entity ruler and resolver"
    nlp.meta.setdefault("defnews", {})["base_model"] = name
    return nlp


def save_pipeline(nlp: Language, out: str | Path) -> Path:
    out = Path(out)
    nlp.to_disk(out)
    (out / "defnews.json").write_text(json.dumps({"base_model": nlp.meta["defnews"]["base_model"]}) + "\n")
    return out
