"""The seed article end to end: the gold record's relations and entities, and nothing from page debris."""
from __future__ import annotations

import importlib.util

import duckdb
import pytest

from conftest import GOLD, ROOT, read_tables

SEED_DOC = "000_fecc4ddad08f1e46.txt"


def _scorer():
    spec = importlib.util.spec_from_file_location("reference_score", ROOT / "tests" / "reference_score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def seed_score(seed_run, tmp_path_factory):
    gold_one = tmp_path_factory.mktemp("gold") / "seed.jsonl"
    gold_one.write_text(
        "".join(line + "\n" for line in GOLD.read_text(encoding="utf-8").splitlines() if SEED_DOC in line),
        encoding="utf-8",
    )
    return _scorer().score(seed_run, gold_one)


def test_every_seed_relation_and_none_outside_gold(seed_score):
    assert seed_score["details"]["relation_fn"] == [], "missed relations"
    assert seed_score["details"]["relation_fp"] == [], "relations outside relations + optional"
    assert seed_score["relations"]["ALL"]["f"] == 1.0


def test_every_seed_entity_with_its_label(seed_score):
    assert seed_score["details"]["entity_fn"] == []
    for label in ("PERSON", "COUNTRY", "ORG", "WEAPON_SYSTEM", "LOCATION"):
        assert seed_score["entities"][label]["r"] == 1.0, label


def test_no_entity_from_debris(seed_run):
    t = read_tables(seed_run)
    names = set(t["entities"]["name"]) | {a for al in t["entities"]["aliases"] for a in al}
    for debris in ("Myanmar", "Trump", "Norway", "Al Thani", "UNRWA", "Sanae Takaichi", "TRT World", "Bangladesh"):
        assert debris not in names
    assert not (set(t["entities"]["label"]) - {"PERSON", "COUNTRY", "ORG", "WEAPON_SYSTEM", "LOCATION"})


def test_canonical_entities_of_the_seed(seed_run):
    t = read_tables(seed_run)
    ents = t["entities"].set_index("entity_id")
    assert {"Türkiye", "Turkish"} <= set(ents.loc["COUNTRY:TUR", "aliases"])
    # "Ankara’s only goal": the capital stands for the country (a mention of it, not one of its names)
    assert "Ankara" in set(t["mentions"].loc[t["mentions"].entity_id == "COUNTRY:TUR", "text"])
    assert "Ankara" not in set(ents.loc["COUNTRY:TUR", "aliases"])
    assert ents.loc["PERSON:yasar-guler", "name"] == "Yasar Guler"
    assert "Guler" in set(ents.loc["PERSON:yasar-guler", "aliases"])
    assert {"Turkish Aerospace Industries", "TUSAS"} <= set(ents.loc["ORG:turkish-aerospace-industries", "aliases"])
    assert ents.loc["WEAPON_SYSTEM:bayraktar-tb2", "manufacturer_id"] == "ORG:baykar"
    assert ents.loc["WEAPON_SYSTEM:bayraktar-tb2", "iso3"] == "TUR"
    assert "PERSON:guler" not in ents.index


def test_relation_details(seed_run):
    t = read_tables(seed_run)
    rel = t["relations"]
    role = rel[(rel.predicate == "holds_role") & (rel.subject_id == "PERSON:yasar-guler")]
    assert set(role.object_id) == {"COUNTRY:TUR"} and set(role.role) == {"Defence Minister"}
    consider = rel[(rel.predicate == "considers_procuring") & (rel.object_id == "WEAPON_SYSTEM:anka")]
    assert set(consider.subject_id) == {"COUNTRY:JPN"} and set(consider.status) == {"considering"}
    assert not rel.negated.any()


def test_ids_resolve_and_offsets_point_at_text(seed_run):
    t = read_tables(seed_run)
    docs = t["documents"].set_index("doc_id")
    assert t["documents"].doc_id.is_unique and t["mentions"].mention_id.is_unique
    assert t["relations"].relation_id.is_unique and t["entities"].entity_id.is_unique
    assert set(t["mentions"].entity_id) <= set(t["entities"].entity_id)
    assert set(t["relations"].subject_id) | set(t["relations"].object_id) <= set(t["entities"].entity_id)
    assert set(t["relations"].subject_mention_id) | set(t["relations"].object_mention_id) <= set(
        t["mentions"].mention_id)
    for m in t["mentions"].itertuples():
        assert docs.loc[m.doc_id, "text"][m.start_char : m.end_char] == m.text
    for r in t["relations"].itertuples():
        assert docs.loc[r.doc_id, "text"][r.evidence_start : r.evidence_end] == r.evidence


def test_duckdb_reads_and_joins_the_tables(seed_run):
    con = duckdb.connect()
    rows = con.execute(
        f"""SELECT s.name, r.predicate, o.name FROM '{seed_run}/relations.parquet' r
            JOIN '{seed_run}/entities.parquet' s ON s.entity_id = r.subject_id
            JOIN '{seed_run}/entities.parquet' o ON o.entity_id = r.object_id
            WHERE r.predicate = 'manufactures' ORDER BY 1, 3"""
    ).fetchall()
    assert ("Baykar", "manufactures", "Bayraktar TB2") in rows
    assert ("Turkish Aerospace Industries", "manufactures", "ANKA") in rows


def test_two_runs_give_identical_tables(seed_run, tmp_path):
    import os
    import subprocess
    import sys

    # another process with another hash seed: nothing may depend on set or dict iteration order
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-m", "pipeline", "run", "--seeds", str(ROOT / "seeds"), "--out", str(tmp_path)],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    a, b = read_tables(seed_run), read_tables(tmp_path)
    for name in a:
        assert a[name].equals(b[name]), name
