"""The corpus pass over mention rows: cross-document merging, canonical names, registry attributes."""
from pipeline.entities import build_entities, doc_mentions


def m(doc, eid, text, start):
    label = eid.split(":")[0]
    return {"doc_id": doc, "mention_id": f"{doc}{start}", "entity_id": eid, "label": label, "text": text,
            "start_char": start, "end_char": start + len(text), "sentence_index": 0, "source": "model"}


def test_lone_surname_joins_the_one_full_name_seen_elsewhere(registry):
    rows = [m("a", "PERSON:recep-tayyip-erdogan", "Recep Tayyip Erdogan", 0), m("b", "PERSON:erdogan", "Erdogan", 5)]
    mentions, ents = build_entities(rows, registry)
    assert {r["entity_id"] for r in mentions} == {"PERSON:recep-tayyip-erdogan"}
    (e,) = ents
    assert e["name"] == "Recep Tayyip Erdogan" and e["n_docs"] == 2 and e["aliases"] == ["Erdogan",
                                                                                         "Recep Tayyip Erdogan"]


def test_ambiguous_surname_stays_apart(registry):
    rows = [m("a", "PERSON:haluk-bayraktar", "Haluk Bayraktar", 0), m("a", "PERSON:selcuk-bayraktar",
            "Selcuk Bayraktar", 30), m("b", "PERSON:bayraktar", "Bayraktar", 0)]
    mentions, ents = build_entities(rows, registry)
    assert "PERSON:bayraktar" in {e["entity_id"] for e in ents}


def test_registry_attributes_and_country_rows(registry):
    rows = [m("a", "WEAPON_SYSTEM:bayraktar-tb2", "TB2", 0), m("a", "COUNTRY:TUR", "Turkish", 10),
            m("a", "ORG:turkish-defence-ministry", "Turkish Defence Ministry", 20)]
    _, ents = build_entities(rows, registry)
    by_id = {e["entity_id"]: e for e in ents}
    tb2 = by_id["WEAPON_SYSTEM:bayraktar-tb2"]
    assert tb2["name"] == "Bayraktar TB2" and tb2["manufacturer_id"] == "ORG:baykar" and tb2["iso3"] == "TUR"
    assert tb2["origin_iso3"] == "TUR" and tb2["weapon_class"]
    assert tb2["in_registry"] and tb2["weapon_class"]
    assert by_id["COUNTRY:TUR"]["iso3"] == "TUR"
    maker = by_id["ORG:baykar"]  # named by no mention: a registry row, so that the manufacturer_id resolves
    assert (maker["name"], maker["n_docs"], maker["n_mentions"], maker["in_registry"]) == ("Baykar", 0, 0, True)
    assert by_id["ORG:turkish-defence-ministry"]["iso3"] == "TUR"  # owner from the leading demonym


def test_doc_mentions_carry_offsets_and_sentences(nlp):
    doc = nlp("Poland ordered K2 tanks. Hyundai Rotem builds the K2 Black Panther.")
    rows = doc_mentions("d1", doc)
    assert all(doc.text[r["start_char"]:r["end_char"]] == r["text"] for r in rows)
    assert {r["sentence_index"] for r in rows} == {0, 1}


def test_columnar_tally_equals_the_row_by_row_one_on_a_real_run(dev_run, registry):
    """Expected: the corpus pass's Arrow group-by tally (`EntityTally.of_table`) and the row-by-row one
    (`EntityTally.add`, what `build_entities` uses) give the same entities table for the dev run's mentions, and
    that table is the one the run wrote."""
    import pyarrow.parquet as pq

    from pipeline.entities import EntityTally

    table = pq.read_table(dev_run / "mentions.parquet")
    by_rows = EntityTally(registry)
    by_rows.add(table.to_pylist())
    by_columns = EntityTally.of_table(table.take(list(reversed(range(table.num_rows)))), registry)
    assert by_rows.rows() == by_columns.rows()
    assert by_rows.rows() == pq.read_table(dev_run / "entities.parquet").to_pylist()
    assert len(by_rows.rows()) > 50
