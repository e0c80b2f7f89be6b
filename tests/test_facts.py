"""The cross-article tables: a contract on a real run of the sample corpus, and deal timelines on real runs over
small articles written here (the issue's three-article example, then a later denial)."""
from pathlib import Path

import pandas as pd
import pytest

from pipeline.facts import load_role_rules
from pipeline.labels import PROCUREMENT_STAGES, SYMMETRIC_PREDICATES
from pipeline.stages import run_all

ARTICLES = {  # (file, publication date, text)
    "a.md": ("2021-03-01", "Indonesia weighs French fighters",
             "Indonesia is considering the Rafale fighter jet made by Dassault Aviation to replace its ageing fleet."),
    "b.md": ("2021-05-24", "Indonesia signs for Rafale jets",
             "Indonesia has ordered 42 Rafale fighter jets from Dassault Aviation in a deal worth $8.1 billion."),
    "c.md": ("2022-10-10", "First Rafale jets land in Indonesia",
             "Indonesia took delivery of its first Rafale fighter jets on Monday, the defence ministry said."),
}
DENIAL = ("2023-02-01", "Indonesia drops Rafale plan",
          "Indonesia will not buy any more Rafale fighter jets, the defence ministry said.")


def write_articles(folder: Path, articles: dict) -> Path:
    folder.mkdir()
    for name, (date, title, text) in articles.items():
        (folder / name).write_text(f"---\ntitle: {title}\ndate: {date}\n---\n{text}\n", encoding="utf-8")
    return folder


def tables(out: Path) -> dict[str, pd.DataFrame]:
    names = ("documents", "entities", "relations", "facts", "procurements", "roles")
    return {n: pd.read_parquet(out / f"{n}.parquet") for n in names}


def test_three_articles_make_one_deal_with_the_date_of_each_stage(tmp_path, params):
    out = tmp_path / "out"
    run_all(write_articles(tmp_path / "seeds", ARTICLES), out, params)
    t = tables(out)
    deals = t["procurements"]
    assert len(deals) == 1
    deal = deals.iloc[0]
    assert (deal.buyer_id, deal.system_id) == ("COUNTRY:IDN", "WEAPON_SYSTEM:rafale")
    assert [str(deal.first_considered), str(deal.first_ordered), str(deal.first_delivered)] == \
        ["2021-03-01", "2021-05-24", "2022-10-10"]
    assert pd.isna(deal.first_operates) and pd.isna(deal.cancelled)
    assert deal.furthest_stage == deal.latest_stage == "delivered"
    assert (deal.quantity, deal.value) == (42, "$8.1 billion")
    assert list(deal.supplier_ids) == ["ORG:dassault-aviation"] and "ORG:dassault-aviation" in deal.manufacturer_ids
    by_path = t["documents"].set_index("doc_id").source_path
    assert [by_path[d] for d in deal.doc_ids] == ["a.md", "b.md", "c.md"]  # oldest first
    procures = t["facts"].set_index("predicate").loc["procures"]
    assert (procures.n_docs, procures.n_negated_docs) == (2, 0)
    assert procures.latest_evidence.startswith("Indonesia took delivery")


def test_a_later_denial_cancels_the_deal_and_the_fact_shows_both_counts(tmp_path, params):
    out = tmp_path / "out"
    run_all(write_articles(tmp_path / "seeds", {**ARTICLES, "d.md": DENIAL}), out, params)
    t = tables(out)
    deal = t["procurements"].iloc[0]
    assert str(deal.cancelled) == "2023-02-01" and deal.latest_stage == "cancelled"
    assert deal.furthest_stage == "delivered" and str(deal.first_delivered) == "2022-10-10"
    procures = t["facts"].set_index("predicate").loc["procures"]
    assert (procures.n_docs, procures.n_negated_docs) == (2, 1)
    assert procures.latest_negated and procures.latest_evidence.startswith("Indonesia will not buy")


def test_contract_ids_unique_and_resolving_dates_ordered_counts_equal_supporting_rows(sample_run):
    t = tables(sample_run)
    docs, ents, rel = t["documents"], set(t["entities"].entity_id), t["relations"]
    ok_docs = set(docs.doc_id[docs.status == "ok"])
    rel = rel[rel.doc_id.isin(ok_docs)]
    rel_ids, fact_ids = set(rel.relation_id), set(t["facts"].fact_id)
    assert set(t["entities"].manufacturer_id.dropna()) <= ents  # a registry maker no document names has a row
    assert len(t["procurements"]) and len(t["roles"]) and len(t["facts"])
    for name, key in (("facts", "fact_id"), ("procurements", "procurement_id"), ("roles", "role_id")):
        df = t[name]
        assert df[key].is_unique, name
        for row in df.itertuples():
            assert set(row.relation_ids) <= rel_ids and len(set(row.relation_ids)) == len(row.relation_ids), name
            assert set(row.doc_ids) <= ok_docs and len(set(row.doc_ids)) == len(row.doc_ids), name
            assert len(row.doc_ids) and set(rel.doc_id[rel.relation_id.isin(row.relation_ids)]) == set(row.doc_ids)
            if pd.notna(row.first_seen if name != "procurements" else None):
                assert row.first_seen <= row.last_seen
            dates = docs.set_index("doc_id").published[list(row.doc_ids)].dropna()
            assert list(dates) == sorted(dates), f"{name}: doc_ids oldest first"

    # facts: every statement of an ok document in exactly one fact; counts equal the supporting rows
    facts = t["facts"]
    assert facts.relation_ids.map(len).sum() == len(rel) and set(facts.relation_ids.explode()) == rel_ids
    sym = rel.predicate.isin(SYMMETRIC_PREDICATES) & (rel.subject_id > rel.object_id)
    rel = rel.assign(a=rel.subject_id.where(~sym, rel.object_id), b=rel.object_id.where(~sym, rel.subject_id))
    published = docs.set_index("doc_id").published
    for f in facts.itertuples():
        rows = rel[(rel.a == f.subject_id) & (rel.predicate == f.predicate) & (rel.b == f.object_id)]
        assert sorted(rows.relation_id) == sorted(f.relation_ids)
        assert f.n_docs == rows.doc_id[~rows.negated].nunique()
        assert f.n_negated_docs == rows.doc_id[rows.negated].nunique()
        assert {f.subject_id, f.object_id} <= ents
        dates = published[rows.doc_id].dropna()
        assert (f.first_seen, f.last_seen) == ((dates.min(), dates.max()) if len(dates) else (None, None))
        assert f.latest_evidence in set(rows.evidence)

    # procurements: the considers_procuring and procures statements of the pair, stage dates from them
    deals = t["procurements"]
    stmts = rel[rel.predicate.isin(["considers_procuring", "procures"])]
    assert deals.relation_ids.map(len).sum() == len(stmts)
    for d in deals.itertuples():
        rows = stmts[(stmts.subject_id == d.buyer_id) & (stmts.object_id == d.system_id)]
        assert sorted(rows.relation_id) == sorted(d.relation_ids) and d.n_docs == rows.doc_id.nunique()
        assert set(d.fact_ids) <= fact_ids and {d.buyer_id, d.system_id} | set(d.supplier_ids) <= ents
        assert set(d.manufacturer_ids) <= ents  # a registry maker no document names has a row of its own
        stage = rows.status.fillna(rows.predicate.map({"considers_procuring": "considering", "procures": "ordered"}))
        positive = rows[~rows.negated & (stage != "cancelled")]
        stage = stage[positive.index]
        if len(positive):
            assert d.furthest_stage == max(stage, key=PROCUREMENT_STAGES.index)
        else:  # only denied or cancelled: no stage reached; cancelled on the latest dated denial
            assert pd.isna(d.furthest_stage) and (pd.isna(d.latest_stage) or d.latest_stage == "cancelled")
            dates = published[rows.doc_id].dropna()
            assert (d.cancelled == dates.max()) if len(dates) else pd.isna(d.cancelled)
        for s, column in (("considering", "first_considered"), ("ordered", "first_ordered"),
                          ("delivered", "first_delivered"), ("operates", "first_operates")):
            dates = published[positive.doc_id[stage == s]].dropna()
            assert getattr(d, column) == (dates.min() if len(dates) else None) or \
                (pd.isna(getattr(d, column)) and not len(dates))
        if pd.notna(d.cancelled):
            assert d.latest_stage == "cancelled"

    # roles: positive holds_role statements, one row per person, normalised role and organisation
    rules = load_role_rules("models/analysis/roles.yaml")
    held = rel[(rel.predicate == "holds_role") & ~rel.negated & rel.role.notna()]
    held = held.assign(norm=held.role.map(rules.normalise))
    roles = t["roles"]
    assert roles.relation_ids.map(len).sum() == len(held)
    for r in roles.itertuples():
        rows = held[(held.subject_id == r.person_id) & (held.norm == r.role) & (held.object_id == r.org_id)]
        assert sorted(rows.relation_id) == sorted(r.relation_ids) and r.n_docs == rows.doc_id.nunique()
        assert r.role_as_written == rows.role.value_counts().sort_index().idxmax()
        assert {r.person_id, r.org_id} <= ents


@pytest.mark.parametrize("title, role", [
    ("Defence Minister", "defence minister"), ("Minister of National Defense", "defence minister"),
    ("Secretary of Defense", "defence secretary"), ("then-Defense Secretary", "defence secretary"),
    ("CEO", "chief executive"), ("Chief Executive Officer", "chief executive"),
    ("Minister for Foreign Affairs", "foreign minister"), ("Secretary of State", "secretary of state"),
    ("Deputy Minister of Defence", "deputy defence minister"), ("Acting Prime Minister", "acting prime minister"),
])
def test_role_titles_are_normalised_by_the_rules_file(title, role):
    assert load_role_rules("models/analysis/roles.yaml").normalise(title) == role
