"""Relations as table rows: per document, records keyed by mention ids (`relation_records`, `doc_records`: what
the annotate pass caches); for the corpus, rows with entity ids and content-derived relation ids (`resolve_records`,
and `resolve_table`, the same on Arrow columns).
"""
from __future__ import annotations

import hashlib
from collections import Counter
from typing import TYPE_CHECKING, Iterable

import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from spacy.tokens import Doc

from ..labels import COUNTRY
from .extract import extract_relations
from .relation import Relation
from .roles import CONTEXT_ROLE_RULES, STATED_ROLE_RULES
from .rules import Rules

def relation_records(doc_id: str, rels: list[Relation], mention_of) -> list[dict]:
    """One document's relations as rows keyed by mention ids (`mention_of(span)`): what the relations stage caches
    per document. Entity ids are attached by `resolve_records`, once the corpus-level entities are known."""
    records = []
    for r in rels:
        ev = r.sentence
        start, end = ev.start_char, ev.end_char
        text = ev.text
        stripped = text.rstrip()
        end -= len(text) - len(stripped)
        records.append(
            {
                "doc_id": doc_id, "predicate": r.predicate,
                "negated": r.negated, "negation_cue": r.negation_cue, "hedged": r.hedged,
                "status": r.status, "role": r.role, "quantity": r.quantity, "value": r.value, "date": r.date,
                "confidence": r.confidence, "trigger": r.trigger,
                "rule": r.rule, "evidence": stripped, "evidence_start": start, "evidence_end": end,
                "subject_mention_id": mention_of(r.subject), "object_mention_id": mention_of(r.object),
                "supplier_mention_id": mention_of(r.supplier) if r.supplier is not None else None,
            }
        )
    return records


def doc_records(doc_id: str, doc: Doc, rules: Rules, published=None) -> list[dict]:
    """The relation records of one annotated Doc (none for a Doc without sentences: one annotate could not
    parse); mention ids as the entities stage derives them."""
    from ..entities import mention_id

    if not doc.has_annotation("SENT_START"):
        return []
    return relation_records(doc_id, extract_relations(doc, rules, published=published),
                            lambda span: mention_id(doc_id, span.start_char, span.end_char))


FILLED_BY_REPEATS = ("quantity", "value", "supplier_id", "date")  # what a repeated statement may add to the first


def resolve_records(records: Iterable[dict], entity_of: dict[str, str]) -> list[dict]:
    """Table rows: subject, object and supplier entity ids from the mention ids, the content-derived relation_id;
    records whose arguments did not resolve, or resolve to one entity, are dropped; the same entity triple stated
    twice in one sentence by two mentions collapses to one row (details merged). (The corpus pass uses
    `resolve_table`, the same on Arrow columns.)"""
    unique: dict[str, dict] = {}
    for rec in records:
        rec = dict(rec)
        s_id, o_id = entity_of.get(rec["subject_mention_id"]), entity_of.get(rec["object_mention_id"])
        if s_id is None or o_id is None or s_id == o_id:
            continue
        supplier = rec.pop("supplier_mention_id", None)
        supplier_id = entity_of.get(supplier) if supplier else None
        key = f"{rec['doc_id']}|{s_id}|{rec['predicate']}|{o_id}|{rec['evidence_start']}|{rec['evidence_end']}"
        rid = hashlib.sha256(key.encode()).hexdigest()[:16]
        row = {"relation_id": rid, "subject_id": s_id, "object_id": o_id,
               "supplier_id": None if supplier_id in (s_id, o_id) else supplier_id, **rec}
        kept = unique.setdefault(rid, row)
        for k in FILLED_BY_REPEATS:
            if kept[k] is None:
                kept[k] = row[k]
    return list(unique.values())


def resolve_table(records: pa.Table, mention_ids: pa.Array, entity_ids: pa.Array) -> pa.Table:
    """`resolve_records` over an Arrow table of records, with the mentions' entity ids as two aligned arrays: the
    same rows in the same order (a test compares them), columnar, so the corpus pass costs milliseconds per
    thousand records. Output columns: relation_id, subject_id, object_id, supplier_id, then the records' own
    (without supplier_mention_id)."""

    def entity(column: str) -> pa.Array:
        return entity_ids.take(pc.index_in(records[column], value_set=mention_ids))

    s_ids, o_ids, sup_ids = entity("subject_mention_id"), entity("object_mention_id"), entity("supplier_mention_id")
    keep = pc.fill_null(pc.and_(pc.and_(pc.is_valid(s_ids), pc.is_valid(o_ids)), pc.not_equal(s_ids, o_ids)), False)
    records, s_ids, o_ids, sup_ids = (x.filter(keep) for x in (records, s_ids, o_ids, sup_ids))
    sup_ids = pc.if_else(pc.fill_null(pc.or_(pc.equal(sup_ids, s_ids), pc.equal(sup_ids, o_ids)), False),
                         pa.scalar(None, pa.string()), sup_ids)
    columns = [records[c].to_pylist() for c in ("doc_id", "predicate", "evidence_start", "evidence_end")]
    rids = [hashlib.sha256(f"{d}|{s}|{p}|{o}|{es}|{ee}".encode()).hexdigest()[:16]
            for d, s, p, o, es, ee in zip(columns[0], s_ids.to_pylist(), columns[1], o_ids.to_pylist(), *columns[2:])]
    table = records.drop_columns(["supplier_mention_id"])
    for i, (name, values) in enumerate((("relation_id", rids), ("subject_id", s_ids), ("object_id", o_ids),
                                        ("supplier_id", sup_ids))):
        table = table.add_column(i, name, pa.array(values, pa.string()) if isinstance(values, list) else values)
    first: dict[str, int] = {}
    repeats = []
    for i, rid in enumerate(rids):
        if first.setdefault(rid, i) != i:
            repeats.append(i)
    if not repeats:
        return table
    for name in FILLED_BY_REPEATS:  # a repeated statement fills what the first one left empty, in order
        values = table[name].to_pylist()
        for i in repeats:
            j = first[rids[i]]
            if values[j] is None:
                values[j] = values[i]
        table = table.set_column(table.schema.get_field_index(name), name, pa.array(values, table.schema.field(name).type))
    return table.take(sorted(first.values()))


CORPUS_PERSON = "role:corpus-person"


def settle_corpus_roles(records: pa.Table, mentions: pa.Table) -> pa.Table:
    """The corpus pass of implicit role countries (`roles.settle_role_countries` did the document's): a title whose
    country came from the document's context (its lead country, the sentence's country, or none: `UNSETTLED`)
    takes the country the same person's own phrases give in the corpus ("US President Joe Biden" in another
    article: "President Joe Biden" is the United States', not the lead country's), when this document names that
    country; the object becomes that country's first mention in the document. `records`: relation records (mention
    ids); `mentions`: doc_id, mention_id, entity_id, start_char. Columnar, like `resolve_table`; unsettled records
    left without a country are dropped there (subject and object are one entity)."""
    is_role = pc.equal(records["predicate"], "holds_role")
    context = pc.fill_null(pc.and_(is_role, pc.is_in(records["rule"], value_set=pa.array(CONTEXT_ROLE_RULES))),
                           False)
    if not pc.any(context).as_py():
        return records
    m_ids, m_ents = mentions["mention_id"], mentions["entity_id"]

    def entities(mask, column: str) -> list:
        return m_ents.take(pc.index_in(records.filter(mask)[column], value_set=m_ids)).to_pylist()

    stated = pc.fill_null(pc.and_(pc.and_(is_role, pc.is_in(records["rule"], value_set=pa.array(STATED_ROLE_RULES))),
                                  pc.invert(records["negated"])), False)
    counts: dict[str, Counter] = {}
    for person, country in zip(entities(stated, "subject_mention_id"), entities(stated, "object_mention_id")):
        if person and country and country.startswith(f"{COUNTRY}:"):
            counts.setdefault(person, Counter())[country] += 1
    if not counts:
        return records
    country_of = {p: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for p, c in counts.items()}
    countries = mentions.filter(pc.starts_with(m_ents, f"{COUNTRY}:")).sort_by(
        [("doc_id", "ascending"), ("start_char", "ascending")])
    first: dict[tuple[str, str], str] = {}
    for doc, ent, mid in zip(*(countries[c].to_pylist() for c in ("doc_id", "entity_id", "mention_id"))):
        first.setdefault((doc, ent), mid)
    rows = pc.indices_nonzero(context).to_pylist()
    objects, rules = records["object_mention_id"].to_pylist(), records["rule"].to_pylist()
    docs = records["doc_id"].take(pa.array(rows)).to_pylist()
    for i, doc, person in zip(rows, docs, entities(context, "subject_mention_id")):
        mention = first.get((doc, country_of.get(person)))
        if mention is not None and mention != objects[i]:
            objects[i], rules[i] = mention, CORPUS_PERSON
    for name, values in (("object_mention_id", objects), ("rule", rules)):
        k = records.schema.get_field_index(name)
        records = records.set_column(k, records.schema.field(name), pa.array(values, records.schema.field(name).type))
    return records


def relation_rows(doc_id: str, rels: list[Relation], entity_of: dict[str, str], mention_of) -> list[dict]:
    """Table rows for one document; `mention_of(span)` gives the mention id, `entity_of` maps it to entity_id."""
    return resolve_records(relation_records(doc_id, rels, mention_of), entity_of)
