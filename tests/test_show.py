"""`python -m pipeline show` on the tables of the sample corpus: an entity by name (aliases, roles, facts), a fact by
id (every supporting sentence with its article and date), a name matching several entities, no match."""
import subprocess
import sys

import pandas as pd
import pytest

from conftest import ROOT
from pipeline.show import show


def test_a_fact_id_prints_every_supporting_sentence_with_its_article_and_date(sample_run):
    facts = pd.read_parquet(sample_run / "facts.parquet")
    rel = pd.read_parquet(sample_run / "relations.parquet").set_index("relation_id")
    docs = pd.read_parquet(sample_run / "documents.parquet").set_index("doc_id")
    fact = facts.sort_values(["n_docs", "fact_id"], ascending=[False, True]).iloc[0]
    assert fact.n_docs >= 2
    text = subprocess.run([sys.executable, "-m", "pipeline", "show", fact.fact_id, "--tables", str(sample_run)],
                          cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert text.startswith(f"fact {fact.fact_id}: ") and f"stated in {fact.n_docs} document(s)" in text
    for rid in fact.relation_ids:
        d = docs.loc[rel.doc_id[rid]]
        assert f'"{rel.evidence[rid]}"' in text and d.source_path in text
        assert (str(d.published) if pd.notna(d.published) else "undated") in text


def test_an_entity_name_prints_its_aliases_roles_and_facts(sample_run):
    roles = pd.read_parquet(sample_run / "roles.parquet")
    ents = pd.read_parquet(sample_run / "entities.parquet").set_index("entity_id")
    facts = pd.read_parquet(sample_run / "facts.parquet")
    person = roles.sort_values(["n_docs", "person_id"], ascending=[False, True]).person_id.iloc[0]
    text = show(ents.name[person].upper(), sample_run)  # names match whatever the case
    assert text.startswith(f"{ents.name[person]}  ({person}, PERSON;")
    assert all(a in text for a in ents.aliases[person])
    for r in roles[roles.person_id == person].itertuples():
        assert f"{r.role} of {ents.name[r.org_id]}" in text
    mine = facts[(facts.subject_id == person) | (facts.object_id == person)]
    assert len(mine) and all(f in text for f in mine.fact_id)


def test_a_name_matching_several_entities_lists_them_and_no_match_says_so(sample_run):
    ents = pd.read_parquet(sample_run / "entities.parquet")
    matching = ents[ents.name.str.casefold().str.contains("air force", regex=False)
                    | ents.aliases.map(lambda a: any("air force" in x.casefold() for x in a))]
    assert len(matching) > 1
    text = show("Air Force", sample_run)
    assert text.splitlines()[0] == f"{len(matching)} entities match 'Air Force':"
    assert all(f"  {e}  " in text for e in matching.entity_id)
    with pytest.raises(LookupError, match="no entity or fact matches 'no such entity anywhere'"):
        show("no such entity anywhere", sample_run)


def test_the_command_exits_1_on_no_match_and_0_on_a_match(sample_run):
    run = [sys.executable, "-m", "pipeline", "show", "--tables", str(sample_run)]
    miss = subprocess.run(run + ["no such entity anywhere"], cwd=ROOT, capture_output=True, text=True)
    assert miss.returncode == 1 and "no entity or fact matches" in miss.stderr and not miss.stdout
    hit = subprocess.run(run + ["COUNTRY:TUR"], cwd=ROOT, capture_output=True, text=True)
    assert hit.returncode == 0 and hit.stdout.startswith("Turkey")
