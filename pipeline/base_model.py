"""The bare base model's entities (en_core_web_sm alone) as tables the evaluate scorer reads, so every score of ours
stands beside the model we wrap.

The base model parses the same cleaned texts (`documents.text`); its labels are mapped onto ours: PERSON → PERSON,
GPE → COUNTRY when it names a sovereign state of our country gazetteer (else LOCATION), LOC/FAC → LOCATION,
ORG → ORG, NORP → the country of the demonym (dropped when it names none), PRODUCT → WEAPON_SYSTEM; other labels
are dropped. Per document one entity per distinct normalised surface form (countries: one per ISO code), named by
its first surface form, with every form as an alias. Pure core: `base_model_entities(docs, reg)` over parsed Docs.
"""
from __future__ import annotations

from typing import Iterable

import pandas as pd

from .evaluate import norm
from .gazetteer import Registry
from .labels import COUNTRY, LOCATION, ORG, PERSON, WEAPON_SYSTEM

LABEL_MAP = {"PERSON": PERSON, "ORG": ORG, "LOC": LOCATION, "FAC": LOCATION, "PRODUCT": WEAPON_SYSTEM}


def map_label(label: str, text: str, reg: Registry) -> tuple[str, str | None] | None:
    """(our label, iso3 or None) for one base-model entity, or None when it has no label of ours."""
    if label == "GPE":
        iso = reg.country_iso3(text, demonyms=False)
        return (COUNTRY, iso) if iso and reg.is_sovereign(iso) else (LOCATION, None)
    if label == "NORP":
        iso = reg.country_iso3(text, demonyms=True)
        return (COUNTRY, iso) if iso and reg.is_sovereign(iso) else None
    return (LABEL_MAP[label], None) if label in LABEL_MAP else None


def base_model_entities(docs: Iterable[tuple[str, "object"]], reg: Registry) -> tuple[list[dict], list[dict]]:
    """(mention rows, entity rows) of the base model's entities for (doc_id, Doc) pairs, in the columns the scorer
    reads (mentions: doc_id, entity_id; entities: entity_id, label, name, aliases, iso3)."""
    mentions, entities = [], {}
    for doc_id, doc in docs:
        for ent in doc.ents:
            mapped = map_label(ent.label_, ent.text, reg)
            if mapped is None or not norm(ent.text):
                continue
            label, iso = mapped
            eid = f"{doc_id}:{label}:{iso or norm(ent.text)}"
            row = entities.setdefault(eid, {"entity_id": eid, "label": label, "name": ent.text, "aliases": [],
                                            "iso3": iso})
            if ent.text not in row["aliases"]:
                row["aliases"].append(ent.text)
            mentions.append({"doc_id": doc_id, "entity_id": eid})
    return mentions, list(entities.values())


def base_model_tables(nlp, documents: pd.DataFrame, reg: Registry) -> dict[str, pd.DataFrame]:
    """The four tables `evaluate.score` reads, from the base model `nlp` run over the ok documents' texts (no
    relations: the base model has none)."""
    ok = documents[documents["status"] == "ok"]
    docs = zip(ok["doc_id"], nlp.pipe(ok["text"].fillna("").tolist(), batch_size=16))
    mentions, entities = base_model_entities(docs, reg)
    return {
        "documents": documents,
        "mentions": pd.DataFrame(mentions, columns=["doc_id", "entity_id"]),
        "entities": pd.DataFrame(entities, columns=["entity_id", "label", "name", "aliases", "iso3"]),
        "relations": pd.DataFrame({"doc_id": pd.Series(dtype=str), "subject_id": pd.Series(dtype=str),
                                   "predicate": pd.Series(dtype=str), "object_id": pd.Series(dtype=str),
                                   "negated": pd.Series(dtype=bool)}),
    }
