"""Cross-article tables: facts, procurements and roles, folded from the relations of every ok document.

A corpus pass like `entities` and `relations`: pure functions from Arrow tables (relations, documents, entities) to
Arrow tables, written with Arrow group-bys and joins only, so it takes milliseconds per thousand statements, needs no
spaCy and no per-row Python (the only Python loops run over distinct keys: ids and distinct role titles). Row
order inside a group comes from a sort before an ordered (`use_threads=False`) group-by, so lists and "latest"
picks are deterministic. Dates are publication dates (`documents.published`). This module reads no files except
the role-title rules (`load_role_rules`).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .labels import CANCELLED, PROCUREMENT_PREDICATES, PROCUREMENT_STAGES, STATUS_OK, SYMMETRIC_PREDICATES
from .schemas import FACTS, PROCUREMENTS, ROLES
from .settings import yaml_load

FACT_KEY = ["subject_id", "predicate", "object_id"]
DEAL_KEY = ["buyer_id", "system_id"]
ROLE_KEY = ["person_id", "role", "org_id"]
STATEMENT_ORDER = [("published", "ascending"), ("doc_id", "ascending"), ("evidence_start", "ascending"),
                   ("relation_id", "ascending")]  # oldest document first; undated last (nulls at the end)
NO_DATE = pa.scalar(None, pa.date32())


def content_id(*columns: pa.Array) -> pa.Array:
    """First 16 hex digits of the SHA-256 of the '|'-joined values: one id per row of the key columns."""
    joined = pc.binary_join_element_wise(*columns, "|")
    return pa.array([hashlib.sha256(k.encode()).hexdigest()[:16] for k in joined.to_pylist()], pa.string())


def _ordered(table: pa.Table, keys: list[str], order=STATEMENT_ORDER) -> pa.Table:
    """Sorted by the group keys, then `order`; nulls last (undated statements after the dated ones)."""
    sort_keys = [(k, o, "at_end") for k, o in [(k, "ascending") for k in keys] + list(order)]
    return table.take(pc.sort_indices(table, sort_keys=sort_keys))


def _distinct_in_order(table: pa.Table, column: str) -> pa.Table:
    """`table` with each list of `column` without repeats, first occurrences kept in order. (The lists come from an
    ordered `list` aggregate; Arrow's `distinct` aggregate keeps no order, so "oldest first" needs this step.)"""
    lists = table[column].combine_chunks()
    values = pc.list_flatten(lists)
    t = pa.table({"p": pc.list_parent_indices(lists), "i": pa.array(range(len(values)), pa.int64()), "v": values})
    first = t.group_by(["p", "v"], use_threads=False).aggregate([("i", "min")])
    first = first.take(pc.sort_indices(first, sort_keys=[("i_min", "ascending")]))
    counts = np.bincount(first["p"].to_numpy(), minlength=len(lists))
    offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]), pa.int32())
    return table.set_column(table.schema.get_field_index(column), column,
                            pa.ListArray.from_arrays(offsets, first["v"].combine_chunks()))


def _attach(base: pa.Table, other: pa.Table, keys: list[str]) -> pa.Table:
    """`base` with the other columns of `other` (one row per key) appended, null where a key has no row; base's
    row order is kept. (A left join by row numbers: Arrow's join takes no list columns.)"""
    left = base.select(keys).append_column("_row", pa.array(range(base.num_rows), pa.int64()))
    right = other.select(keys).append_column("_other", pa.array(range(other.num_rows), pa.int64()))
    rows = left.join(right, keys, join_type="left outer").sort_by("_row")["_other"]
    picked = other.drop_columns(keys).take(rows)
    for name in picked.column_names:
        base = base.append_column(name, picked[name])
    return base


def _renamed(out: pa.Table, aggregations) -> pa.Table:
    mapping = {f"{a[0]}_{a[1]}": a[-1] for a in aggregations}
    return out.rename_columns([mapping.get(n, n) for n in out.column_names])


def _if(mask: pa.Array, values: pa.Array) -> pa.Array:
    """values where mask holds, else null."""
    return pc.if_else(mask, values, pa.nulls(len(values), values.type))


def statements(relations: pa.Table, documents: pa.Table) -> pa.Table:
    """The relations of ok documents with the document's publication date and the fact key: a symmetric
    predicate's two arguments in id order (`a`, `b`)."""
    ok = documents.filter(pc.equal(documents["status"], STATUS_OK)).select(["doc_id", "published"])
    t = relations.join(ok, "doc_id", join_type="inner")
    swap = pc.and_(pc.is_in(t["predicate"], value_set=pa.array(sorted(SYMMETRIC_PREDICATES))),
                   pc.greater(t["subject_id"], t["object_id"]))
    return (t.append_column("a", pc.if_else(swap, t["object_id"], t["subject_id"]))
             .append_column("b", pc.if_else(swap, t["subject_id"], t["object_id"])))


def fact_table(stmts: pa.Table) -> pa.Table:
    """facts.parquet from `statements`."""
    t = stmts.drop_columns(["subject_id", "object_id"]).rename_columns(
        {"a": "subject_id", "b": "object_id"})
    t = t.append_column("positive_doc", _if(pc.invert(t["negated"]), t["doc_id"]))
    t = t.append_column("negated_doc", _if(t["negated"], t["doc_id"]))
    t = _ordered(t, FACT_KEY)
    only_valid = pc.CountOptions(mode="only_valid")
    out = _renamed(t.group_by(FACT_KEY, use_threads=False).aggregate([
        ("positive_doc", "count_distinct", only_valid), ("negated_doc", "count_distinct", only_valid),
        ("published", "min"), ("published", "max"), ("relation_id", "list"), ("doc_id", "list"),
    ]), [("positive_doc", "count_distinct", "n_docs"), ("negated_doc", "count_distinct", "n_negated_docs"),
         ("published", "min", "first_seen"), ("published", "max", "last_seen"),
         ("relation_id", "list", "relation_ids"), ("doc_id", "list", "doc_ids")])
    out = _distinct_in_order(out, "doc_ids")
    latest = _ordered(t, FACT_KEY, [("published", "descending")] + STATEMENT_ORDER[1:])
    latest = _renamed(latest.group_by(FACT_KEY, use_threads=False).aggregate(
        [("evidence", "first"), ("negated", "first")]),
        [("evidence", "first", "latest_evidence"), ("negated", "first", "latest_negated")])
    out = _attach(out, latest, FACT_KEY)
    out = out.append_column("fact_id", content_id(out["subject_id"], out["predicate"], out["object_id"]))
    return _ordered(out, FACT_KEY, []).select(FACTS.schema.names).cast(FACTS.schema)


def stage_of(t: pa.Table) -> pa.Array:
    """Each procurement statement's stage: its status, or the predicate's own stage when it has none."""
    default = pc.if_else(pc.equal(t["predicate"], "considers_procuring"), "considering", "ordered")
    return pc.coalesce(t["status"], default)


def procurement_table(stmts: pa.Table, facts: pa.Table, entities: pa.Table) -> pa.Table:
    """procurements.parquet from `statements`, the facts table (manufactures, fact ids) and the entities table
    (the registry's manufacturer of each system)."""
    t = stmts.filter(pc.is_in(stmts["predicate"], value_set=pa.array(PROCUREMENT_PREDICATES)))
    t = t.rename_columns({"subject_id": "buyer_id", "object_id": "system_id"})
    stage = stage_of(t)
    negative = pc.or_(t["negated"], pc.equal(stage, CANCELLED))
    positive = pc.invert(negative)
    rank = _if(positive, pc.index_in(stage, value_set=pa.array(PROCUREMENT_STAGES)))
    t = t.append_column("stage", stage).append_column("rank", rank).append_column("positive", positive)
    t = t.append_column("positive_date", _if(positive, t["published"]))
    t = t.append_column("negative_date", _if(negative, t["published"]))
    t = t.append_column("positive_supplier", _if(positive, t["supplier_id"]))
    stage_dates = []
    for s in PROCUREMENT_STAGES:
        column = f"first_{'considered' if s == 'considering' else s}"
        t = t.append_column(column, _if(pc.and_(positive, pc.equal(stage, s)), t["published"]))
        stage_dates.append((column, "min", column))
    fact_ids = facts.select(FACT_KEY + ["fact_id"]).rename_columns(
        {"subject_id": "buyer_id", "object_id": "system_id"})
    t = t.join(fact_ids, ["buyer_id", "predicate", "system_id"])
    t = _ordered(t, DEAL_KEY)
    only_valid = pc.CountOptions(mode="only_valid")
    deals = _renamed(t.group_by(DEAL_KEY, use_threads=False).aggregate(
        [a[:2] for a in stage_dates] + [
            ("rank", "max"), ("positive_date", "max"), ("negative_date", "max"),
            ("positive_supplier", "distinct", only_valid), ("doc_id", "count_distinct"), ("doc_id", "list"),
            ("relation_id", "list"), ("fact_id", "distinct")]),
        stage_dates + [("rank", "max", "furthest_rank"), ("positive_date", "max", "last_positive"),
                       ("negative_date", "max", "last_negative"), ("positive_supplier", "distinct", "supplier_ids"),
                       ("doc_id", "count_distinct", "n_docs"), ("doc_id", "list", "doc_ids"),
                       ("relation_id", "list", "relation_ids"), ("fact_id", "distinct", "fact_ids")])
    deals = _distinct_in_order(deals, "doc_ids")
    stages = pa.array(PROCUREMENT_STAGES)
    deals = deals.append_column("furthest_stage", stages.take(deals["furthest_rank"]))
    # cancelled: a dated denial or cancellation after the last dated positive statement, or with none before it
    later = pc.fill_null(pc.and_kleene(pc.is_valid(deals["last_negative"]), pc.or_kleene(
        pc.is_null(deals["last_positive"]), pc.greater(deals["last_negative"], deals["last_positive"]))), False)
    deals = deals.append_column("cancelled", _if(later, deals["last_negative"]))

    pos = t.filter(t["positive"])
    latest = _ordered(pos, DEAL_KEY, [("published", "descending"), ("rank", "descending")] + STATEMENT_ORDER[1:])
    latest = _renamed(latest.group_by(DEAL_KEY, use_threads=False).aggregate([("stage", "first")]),
                      [("stage", "first", "latest_stage")])
    deals = _attach(deals, latest, DEAL_KEY)
    deals = deals.set_column(deals.schema.get_field_index("latest_stage"), "latest_stage",
                             pc.if_else(later, CANCELLED, deals["latest_stage"]))
    for column in ("quantity", "value"):
        stated = pos.filter(pc.is_valid(pos[column]))
        last = _ordered(stated, DEAL_KEY, [("published", "descending")] + STATEMENT_ORDER[1:])
        last = last.group_by(DEAL_KEY, use_threads=False).aggregate([(column, "first")])
        deals = _attach(deals, last.rename_columns({f"{column}_first": column}), DEAL_KEY)
    deals = _attach(deals, manufacturers(facts, entities), ["system_id"])
    deals = deals.append_column("procurement_id", content_id(deals["buyer_id"], deals["system_id"]))
    empty = pa.array([[]] * deals.num_rows, pa.list_(pa.string()))
    deals = deals.set_column(deals.schema.get_field_index("manufacturer_ids"), "manufacturer_ids",
                             pc.coalesce(deals["manufacturer_ids"], empty))
    return _ordered(deals, DEAL_KEY, []).select(PROCUREMENTS.schema.names).cast(PROCUREMENTS.schema)


def manufacturers(facts: pa.Table, entities: pa.Table) -> pa.Table:
    """system_id -> manufacturer_ids: the subjects of its positive manufactures facts and its registry maker."""
    made = facts.filter(pc.and_(pc.equal(facts["predicate"], "manufactures"), pc.greater(facts["n_docs"], 0)))
    made = made.select(["object_id", "subject_id"]).rename_columns(["system_id", "maker_id"])
    registry = entities.filter(pc.is_valid(entities["manufacturer_id"])).select(["entity_id", "manufacturer_id"])
    makers = pa.concat_tables([made, registry.rename_columns(["system_id", "maker_id"])], promote_options="permissive")
    makers = makers.group_by(["system_id", "maker_id"]).aggregate([])
    makers = _ordered(makers, ["system_id", "maker_id"], [])
    return makers.group_by("system_id", use_threads=False).aggregate([("maker_id", "list")]).rename_columns(
        {"maker_id_list": "manufacturer_ids"})


@dataclass(frozen=True)
class RoleRules:
    """How titles are normalised: whole-word replacements, then rewrites (regex -> template), then lower case."""
    words: dict[str, str]
    rewrites: tuple[tuple[re.Pattern, str], ...]

    def normalise(self, title: str) -> str:
        t = re.sub(r"\s+", " ", title.strip().lower())
        t = re.sub(r"\b\w+\b", lambda m: self.words.get(m.group(0), m.group(0)), t)
        for pattern, template in self.rewrites:
            t = pattern.sub(template, t)
        return re.sub(r"\s+", " ", t).strip()


def load_role_rules(path: str | Path) -> RoleRules:
    data = yaml_load(Path(path).read_text(encoding="utf-8"))
    try:
        return RoleRules({k.lower(): v.lower() for k, v in (data.get("words") or {}).items()},
                         tuple((re.compile(r["pattern"]), r["template"]) for r in data.get("rewrites") or ()))
    except (AttributeError, KeyError, TypeError, re.error) as exc:
        raise ValueError(f"{path}: bad role rules: {exc}") from exc


def role_table(stmts: pa.Table, rules: RoleRules) -> pa.Table:
    """roles.parquet from `statements` (positive holds_role statements with a title)."""
    t = stmts.filter(pc.and_(pc.and_(pc.equal(stmts["predicate"], "holds_role"), pc.invert(stmts["negated"])),
                             pc.is_valid(stmts["role"])))
    t = t.rename_columns({"subject_id": "person_id", "object_id": "org_id", "role": "role_as_written"})
    titles = pc.unique(t["role_as_written"])
    normal = pa.array([rules.normalise(x) for x in titles.to_pylist()], pa.string())
    t = t.append_column("role", normal.take(pc.index_in(t["role_as_written"], value_set=titles)))
    t = _ordered(t, ROLE_KEY)
    out = _renamed(t.group_by(ROLE_KEY, use_threads=False).aggregate([
        ("published", "min"), ("published", "max"), ("doc_id", "count_distinct"), ("doc_id", "list"),
        ("relation_id", "list")]),
        [("published", "min", "first_seen"), ("published", "max", "last_seen"), ("doc_id", "count_distinct", "n_docs"),
         ("doc_id", "list", "doc_ids"), ("relation_id", "list", "relation_ids")])
    out = _distinct_in_order(out, "doc_ids")
    forms = t.group_by(ROLE_KEY + ["role_as_written"]).aggregate([("relation_id", "count")])
    forms = _ordered(forms, ROLE_KEY, [("relation_id_count", "descending"), ("role_as_written", "ascending")])
    forms = forms.group_by(ROLE_KEY, use_threads=False).aggregate([("role_as_written", "first")])
    out = _attach(out, forms.rename_columns({"role_as_written_first": "role_as_written"}), ROLE_KEY)
    out = out.append_column("role_id", content_id(out["person_id"], out["role"], out["org_id"]))
    return _ordered(out, ROLE_KEY, []).select(ROLES.schema.names).cast(ROLES.schema)


def cross_article_tables(relations: pa.Table, documents: pa.Table, entities: pa.Table,
                         rules: RoleRules) -> dict[str, pa.Table]:
    """The three cross-article tables, by table name."""
    stmts = statements(relations, documents)
    facts = fact_table(stmts)
    return {"facts": facts, "procurements": procurement_table(stmts, facts, entities),
            "roles": role_table(stmts, rules)}
