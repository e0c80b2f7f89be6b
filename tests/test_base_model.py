"""The bare base model's entities, mapped onto our labels, are scored with the same scorer on the same gold."""
import spacy

from conftest import GOLD, read_tables
from pipeline.base_model import base_model_entities, base_model_tables, map_label
from pipeline.evaluate import read_gold, score
from pipeline.settings import base_model_name


def base_nlp(params):
    return spacy.load(base_model_name(params["model"]["base"]))


def test_labels_map_onto_ours(registry):
    assert map_label("GPE", "Poland", registry) == ("COUNTRY", "POL")
    assert map_label("GPE", "Kharkiv", registry) == ("LOCATION", None)
    assert map_label("GPE", "Puerto Rico", registry) == ("LOCATION", None)  # a territory, not a state
    assert map_label("NORP", "Polish", registry) == ("COUNTRY", "POL")
    assert map_label("NORP", "Catholic", registry) is None
    assert map_label("FAC", "Ramstein Air Base", registry) == ("LOCATION", None)
    assert map_label("PRODUCT", "F-35", registry) == ("WEAPON_SYSTEM", None)
    assert map_label("DATE", "Monday", registry) is None


def test_one_entity_per_form_and_per_country(params, registry):
    nlp = base_nlp(params)
    doc = nlp("Poland signed the deal in Warsaw. Polish officials said Poland and Andrzej Duda agreed.")
    mentions, entities = base_model_entities([("d1", doc)], registry)
    countries = [e for e in entities if e["label"] == "COUNTRY"]
    assert [e["iso3"] for e in countries] == ["POL"]  # "Poland" twice and "Polish": one country
    assert set(countries[0]["aliases"]) >= {"Poland", "Polish"}
    assert len({m["entity_id"] for m in mentions}) == len(entities)


def test_base_model_scores_beside_ours_on_dev(params, registry, dev_run):
    tables = read_tables(dev_run)
    gold = read_gold(GOLD)
    ours = score(tables, gold).entities
    base = score(base_model_tables(base_nlp(params), tables["documents"], registry), gold).entities
    assert base["ALL"]["tp"] > 0 and base["ALL"]["f"] < ours["ALL"]["f"]
    for label in ("PERSON", "ORG", "LOCATION"):  # the target: well above the model on these
        assert ours[label]["f"] >= base[label]["f"] + 0.1, label
