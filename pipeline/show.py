"""`python -m pipeline show`: one entity or one fact of the tables as text for a terminal.

An entity id or a fact id is shown directly; otherwise the query is a name, matched case-insensitively against
entity names and aliases as a substring: one match is shown, several are listed (unless exactly one entity has
the query as its name: that one is shown). Reads the
tables only; prints nothing itself (the CLI prints what `show` returns; a query matching nothing raises LookupError,
which the CLI reports on stderr with exit status 1, so a script can tell).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd


def _tables(tables_dir: Path) -> dict[str, pd.DataFrame]:
    names = ("documents", "entities", "relations", "facts", "roles", "procurements")
    missing = [n for n in names if not (tables_dir / f"{n}.parquet").is_file()]
    if missing:
        raise FileNotFoundError(f"{tables_dir}: no {', '.join(f'{n}.parquet' for n in missing)} (run the pipeline)")
    return {n: pd.read_parquet(tables_dir / f"{n}.parquet") for n in names}


def _date(value) -> str:
    return "undated" if value is None or pd.isna(value) else str(value)


def find_entities(entities: pd.DataFrame, query: str) -> pd.DataFrame:
    q = query.strip().casefold()
    names = entities.name.str.casefold()
    aliases = entities.aliases.map(lambda a: {x.casefold() for x in a})
    exact = entities[names == q]
    if len(exact) == 1:
        return exact
    ids = entities.entity_id.str.casefold()
    return entities[names.str.contains(q, regex=False) | ids.str.contains(q, regex=False)
                    | aliases.map(lambda a: any(q in x for x in a))]


def show_fact(fact, t: dict) -> str:
    name = t["entities"].set_index("entity_id").name
    docs = t["documents"].set_index("doc_id")
    rel = t["relations"].set_index("relation_id")
    lines = [f"fact {fact.fact_id}: {name.get(fact.subject_id, fact.subject_id)} {fact.predicate} "
             f"{name.get(fact.object_id, fact.object_id)}",
             f"  stated in {fact.n_docs} document(s), negated in {fact.n_negated_docs}; "
             f"{_date(fact.first_seen)} .. {_date(fact.last_seen)}"]
    for rid in fact.relation_ids:
        r, d = rel.loc[rid], docs.loc[rel.doc_id[rid]]
        flags = " [negated]" if r.negated else (" [hedged]" if r.hedged else "")
        lines += [f"  - {_date(d.published)}  {d.title or d.source_path}  ({d.source_path}){flags}",
                  f"    \"{r.evidence}\""]
    return "\n".join(lines)


def show_entity(e, t: dict) -> str:
    name = t["entities"].set_index("entity_id").name
    lines = [f"{e.name}  ({e.entity_id}, {e.label}; {e.n_docs} document(s), {e.n_mentions} mention(s))",
             f"  aliases: {', '.join(e.aliases)}"]
    extra = [f"{k}: {v}" for k, v in (("class", e.weapon_class), ("manufacturer", e.manufacturer_id),
                                      ("origin", e.origin_iso3), ("iso3", e.iso3)) if v is not None and pd.notna(v)]
    if extra:
        lines.append("  " + "; ".join(extra))
    roles = t["roles"][(t["roles"].person_id == e.entity_id) | (t["roles"].org_id == e.entity_id)]
    if len(roles):
        lines.append("  roles:")
        for r in roles.sort_values(["first_seen", "role"], na_position="last").itertuples():
            lines.append(f"    {name.get(r.person_id, r.person_id)}: {r.role} of {name.get(r.org_id, r.org_id)}, "
                         f"{_date(r.first_seen)} .. {_date(r.last_seen)} ({r.n_docs} doc.)")
    facts = t["facts"][(t["facts"].subject_id == e.entity_id) | (t["facts"].object_id == e.entity_id)]
    if len(facts):
        lines.append("  facts:")
        for f in facts.sort_values(["predicate", "n_docs"], ascending=[True, False]).itertuples():
            neg = f", negated in {f.n_negated_docs}" if f.n_negated_docs else ""
            lines.append(f"    {f.fact_id}  {name.get(f.subject_id, f.subject_id)} {f.predicate} "
                         f"{name.get(f.object_id, f.object_id)}  ({f.n_docs} doc.{neg}; last {_date(f.last_seen)})")
    return "\n".join(lines)


def show(query: str, tables_dir) -> str:
    """The text for an entity id, a fact id or a name; LookupError when nothing matches."""
    t = _tables(Path(tables_dir))
    facts = t["facts"][t["facts"].fact_id == query]
    if len(facts):
        return show_fact(next(facts.itertuples()), t)
    found = t["entities"][t["entities"].entity_id == query]
    if not len(found):
        found = find_entities(t["entities"], query)
    if not len(found):
        raise LookupError(f"no entity or fact matches {query!r}")
    if len(found) > 1:
        rows = [f"{len(found)} entities match {query!r}:"]
        rows += [f"  {e.entity_id}  {e.name} ({e.n_docs} doc.)"
                 for e in found.sort_values(["n_docs", "entity_id"], ascending=[False, True]).itertuples()]
        return "\n".join(rows)
    return show_entity(next(found.itertuples()), t)
