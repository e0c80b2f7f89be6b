"""The table catalogue: every output table's columns, types and descriptions, in one place.

The pyarrow schemas, the writers' validation and the data dictionary (`docs/tables.md`) are all generated
from `TABLES`; nothing else in the project declares a column. This module does no I/O except its writers
(`write_table`, `TableWriter`).
"""
from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    description: str
    nullable: bool = True


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    key: str
    columns: tuple[Column, ...]

    @property
    def schema(self) -> pa.Schema:
        return pa.schema(
            [pa.field(c.name, c.type, nullable=c.nullable) for c in self.columns],
            metadata={"table": self.name, "description": self.description},
        )


def _c(name, type_, description, nullable=True):
    return Column(name, type_, description, nullable)


STR, I32, F32, BOOL = pa.string(), pa.int32(), pa.float32(), pa.bool_()

DOCUMENTS = Table(
    "documents",
    "One row per input found under the seeds folder, whatever became of it.",
    "doc_id",
    (
        _c("doc_id", STR, "Document id: first 16 hex digits of the SHA-256 of the raw bytes.", False),
        _c("source_path", STR, "Path of the input relative to the seeds folder, '/'-separated; file.jsonl:LINE "
           "(file.json:N) for the records of a JSON export.", False),
        _c("sha256", STR, "SHA-256 of the raw bytes (hex).", False),
        _c("status", STR, "ok, duplicate, empty or rejected.", False),
        _c("error", STR, "Why the document is not ok (null when ok): for duplicates, the path and doc_id kept "
           "(\"near-duplicate of <doc_id> <path> (similarity 0.93)\" for a near one); for a document in a language "
           "not read, \"language fr: not English\"."),
        _c("duplicate_of", STR, "For a duplicate, the doc_id of the document kept: the first in path order with the "
           "same bytes, the same cleaned text, or a word-shingle Jaccard similarity of at least "
           "clean.near_duplicate_threshold (params.yaml); null otherwise."),
        _c("title", STR, "Headline found in the page, the record or the file's metadata (PDF, Word); null when none."),
        _c("published", pa.date32(), "Publication date found in the page or the record; for PDF and Word files, "
           "the creation date in their metadata (null when none)."),
        _c("source", STR, "News agency or outlet named by the page (e.g. AA, Reuters)."),
        _c("section", STR, "Section or breadcrumb line of the page."),
        _c("text", STR, "Cleaned body text; every offset in the other tables refers to it."),
        _c("n_chars", I32, "Length of text in characters.", False),
        _c("encoding", STR, "Encoding the raw bytes were decoded from (null for PDF and Word files)."),
        _c("language", STR, "ISO 639-1 code of the cleaned text's language (py3langid; for a mixed text, the "
           "language of most of it); null when there is no text."),
        _c("removed_lines", I32, "Number of debris lines removed by the cleaner.", False),
        _c("removed_by_rule", STR, "JSON object: cleaning rule name -> lines it removed."),
        _c("url", STR, "Address of the article, when a JSON record gives one."),
    ),
)

MENTIONS = Table(
    "mentions",
    "One row per entity mention in a document's cleaned text.",
    "mention_id",
    (
        _c("doc_id", STR, "Document the mention is in (documents.doc_id).", False),
        _c("mention_id", STR, "Mention id: hash of doc_id and character offsets.", False),
        _c("entity_id", STR, "Canonical entity (entities.entity_id).", False),
        _c("label", STR, "PERSON, COUNTRY, ORG, WEAPON_SYSTEM or LOCATION.", False),
        _c("text", STR, "Surface form, exactly documents.text[start_char:end_char].", False),
        _c("start_char", I32, "Start offset in documents.text.", False),
        _c("end_char", I32, "End offset (exclusive) in documents.text.", False),
        _c("sentence_index", I32, "0-based index of the sentence holding the mention.", False),
        _c("source", STR, "What found it: registry (gazetteer), pattern (designation rule) or model (spaCy NER).", False),
    ),
)

ENTITIES = Table(
    "entities",
    "One row per canonical entity across all documents.",
    "entity_id",
    (
        _c("entity_id", STR, "LABEL:key, e.g. COUNTRY:TUR, WEAPON_SYSTEM:bayraktar-tb2, PERSON:yasar-guler.", False),
        _c("label", STR, "PERSON, COUNTRY, ORG, WEAPON_SYSTEM or LOCATION.", False),
        _c("name", STR, "Canonical name.", False),
        _c("aliases", pa.list_(STR), "Every surface form seen for the entity, sorted; a capital standing for its "
           "country (\"Ankara said\") is a mention of the country but not listed as its alias.", False),
        _c("iso3", STR, "ISO 3166-1 alpha-3: the country itself for COUNTRY; the owning country where known."),
        _c("n_docs", I32, "Number of documents mentioning the entity; 0 for a registry maker of a mentioned system "
           "that no document names (its row is there so that every manufacturer_id resolves).", False),
        _c("n_mentions", I32, "Number of mentions of the entity.", False),
        _c("in_registry", BOOL, "True when the entity comes from a gazetteer under models/.", False),
        _c("weapon_class", STR, "Class of a weapon system (fighter, uav, tank, ...) from the registry."),
        _c("manufacturer_id", STR, "entity_id of the weapon system's manufacturer from the registry."),
        _c("origin_iso3", STR, "ISO 3166-1 alpha-3 of the country a weapon system comes from (registry); for "
           "weapon systems it equals iso3."),
    ),
)

RELATIONS = Table(
    "relations",
    "One row per relation statement: a typed (subject, predicate, object) with its evidence sentence.",
    "relation_id",
    (
        _c("relation_id", STR, "Hash of doc_id, subject, predicate, object and evidence offsets.", False),
        _c("doc_id", STR, "Document stating the relation (documents.doc_id).", False),
        _c("subject_id", STR, "entities.entity_id of the subject.", False),
        _c("predicate", STR, "One of the predicates in docs/tables.md.", False),
        _c("object_id", STR, "entities.entity_id of the object.", False),
        _c("negated", BOOL, "True when the text negates or denies the relation.", False),
        _c("negation_cue", STR, "The word that negates (not, denied, ruled out, ...)."),
        _c("hedged", BOOL, "True when the statement is hedged (could, reportedly, expected to).", False),
        _c("status", STR, "For procures/considers_procuring: considering, ordered, delivered or operates."),
        _c("role", STR, "For holds_role: the title as written (Defence Minister)."),
        _c("quantity", I32, "For procures/considers_procuring: how many of the system the sentence states, from a "
           "number on the system's own noun phrase (\"ordered 24 Bayraktar TB2 drones\", \"the purchase of 24 TB2\", "
           "\"two dozen\"); null when none."),
        _c("value", STR, "For procures/considers_procuring: the sum of the deal as written in the sentence, currency "
           "included and approximators (about, nearly, up to) dropped: \"$4.5 billion\", \"$370m\", "
           "\"4 billion euros\"; not normalised, not converted; null when none is attached to the statement."),
        _c("supplier_id", STR, "For procures/considers_procuring: entities.entity_id of the seller or supplier the "
           "sentence names (\"from Baykar\", \"Türkiye sold … to Ukraine\", \"the US approved the sale of … to\", "
           "\"a contract for … with Dassault\"); the buyer is always subject_id, never the supplier; null when none."),
        _c("date", pa.date32(), "The day the sentence gives for the statement (filled for meets and visits, and for "
           "other trigger-based predicates when stated): a date phrase on the statement's own clause. A full date "
           "(\"12 June 2025\") as written; a day and month (\"on March 3\") in the year of documents.published, a "
           "year earlier if that falls after publication (a year later for future-tense statements that would fall "
           "before it); a day name (\"on Monday\"; also today/yesterday) the most recent such day on or before "
           "documents.published (\"last Monday\": strictly before; future tense or \"next Monday\": the next such day "
           "on or after it). Null when no day-precise date is stated, or when it needs the publication date and "
           "there is none."),
        _c("confidence", F32, "Rule confidence in [0, 1].", False),
        _c("trigger", STR, "The word that triggered the rule.", False),
        _c("rule", STR, "Name of the rule that fired.", False),
        _c("evidence", STR, "The sentence stating the relation.", False),
        _c("evidence_start", I32, "Start offset of the evidence sentence in documents.text.", False),
        _c("evidence_end", I32, "End offset (exclusive) of the evidence sentence.", False),
        _c("subject_mention_id", STR, "mentions.mention_id of the subject mention."),
        _c("object_mention_id", STR, "mentions.mention_id of the object mention."),
    ),
)

LIST = pa.list_(STR)
DATE = pa.date32()

FACTS = Table(
    "facts",
    "One row per (subject, predicate, object) across the corpus, folding every statement of it in every ok "
    "document; the arguments of a symmetric predicate (meets, cooperates_with, fights) are in id order, so "
    "\"A meets B\" and \"B meets A\" are one fact. Dates are publication dates (documents.published).",
    "fact_id",
    (
        _c("fact_id", STR, "Hash of subject_id, predicate and object_id.", False),
        _c("subject_id", STR, "entities.entity_id of the subject (the smaller id for a symmetric predicate).", False),
        _c("predicate", STR, "One of the predicates of relations.predicate.", False),
        _c("object_id", STR, "entities.entity_id of the object.", False),
        _c("n_docs", I32, "Distinct ok documents stating the fact positively (negated = false).", False),
        _c("n_negated_docs", I32, "Distinct ok documents negating or denying it; a fact stated and later denied "
           "counts in both.", False),
        _c("first_seen", DATE, "Earliest publication date of the documents in doc_ids (null when none is dated)."),
        _c("last_seen", DATE, "Latest publication date of the documents in doc_ids (null when none is dated)."),
        _c("relation_ids", LIST, "relations.relation_id of every statement, oldest document first (undated last), "
           "then by document and offset.", False),
        _c("doc_ids", LIST, "documents.doc_id of every document stating or negating it, in the same order.", False),
        _c("latest_evidence", STR, "The evidence sentence of the latest dated statement (when none is dated, of "
           "the first statement in relation_ids).", False),
        _c("latest_negated", BOOL, "Whether the statement of latest_evidence is negated.", False),
    ),
)

PROCUREMENTS = Table(
    "procurements",
    "One row per (buyer, weapon system): every considers_procuring and procures statement of the corpus folded "
    "into a deal with the dates of its stages (considering < negotiating < ordered < delivered < operates). "
    "Dates are publication dates of the stating documents.",
    "procurement_id",
    (
        _c("procurement_id", STR, "Hash of buyer_id and system_id.", False),
        _c("buyer_id", STR, "entities.entity_id of the buyer (the relations' subject).", False),
        _c("system_id", STR, "entities.entity_id of the weapon system (the relations' object).", False),
        _c("first_considered", DATE, "Earliest date of a positive statement at stage considering."),
        _c("first_negotiating", DATE, "Earliest date of a positive statement at stage negotiating."),
        _c("first_ordered", DATE, "Earliest date of a positive statement at stage ordered."),
        _c("first_delivered", DATE, "Earliest date of a positive statement at stage delivered."),
        _c("first_operates", DATE, "Earliest date of a positive statement at stage operates."),
        _c("cancelled", DATE, "Date of the latest dated negated (or cancelled) statement when it is later than the "
           "last dated positive one, or there is none; else null."),
        _c("furthest_stage", STR, "The furthest stage any positive statement gives; null when every statement is "
           "negated or a cancellation."),
        _c("latest_stage", STR, "The stage of the latest positive statement (undated ones count as oldest; the "
           "furthest stage wins a tie), or cancelled when `cancelled` is set."),
        _c("supplier_ids", LIST, "Distinct relations.supplier_id of the positive statements, first named first.",
           False),
        _c("manufacturer_ids", LIST, "Makers of the system: subjects of its positive manufactures facts and the "
           "registry's entities.manufacturer_id, sorted; each one an entities row.", False),
        _c("quantity", I32, "relations.quantity of the latest positive statement that states one."),
        _c("value", STR, "relations.value of the latest positive statement that states one."),
        _c("n_docs", I32, "Distinct documents with a statement of the deal (positive or negated).", False),
        _c("doc_ids", LIST, "documents.doc_id of those documents, oldest first (undated last).", False),
        _c("relation_ids", LIST, "relations.relation_id of every statement, in the same order.", False),
        _c("fact_ids", LIST, "facts.fact_id of the considers_procuring and procures facts folded here.", False),
    ),
)

ROLES = Table(
    "roles",
    "One row per (person, normalised role, organisation or country) from positive holds_role statements, with the "
    "time span the documents show it in: two people in one role are two rows, one person in two roles two rows.",
    "role_id",
    (
        _c("role_id", STR, "Hash of person_id, role and org_id.", False),
        _c("person_id", STR, "entities.entity_id of the person.", False),
        _c("role", STR, "The title normalised by models/analysis/roles.yaml (lower case, British spelling, "
           "\"Minister of Defense\" -> \"defence minister\").", False),
        _c("role_as_written", STR, "The most frequent form of the title in the documents (ties: the first in "
           "alphabetical order).", False),
        _c("org_id", STR, "entities.entity_id of the organisation or country.", False),
        _c("first_seen", DATE, "Earliest publication date of the documents (null when none is dated)."),
        _c("last_seen", DATE, "Latest publication date of the documents (null when none is dated)."),
        _c("n_docs", I32, "Distinct documents stating the role.", False),
        _c("doc_ids", LIST, "documents.doc_id of those documents, oldest first (undated last).", False),
        _c("relation_ids", LIST, "relations.relation_id of the statements, in the same order.", False),
    ),
)

TABLES = {t.name: t for t in (DOCUMENTS, MENTIONS, ENTITIES, RELATIONS, FACTS, PROCUREMENTS, ROLES)}
# The tables the cross-article pass (facts.py) writes from the others.
CROSS_ARTICLE_TABLES = (FACTS, PROCUREMENTS, ROLES)

# What the relations stage caches per document: a relations row before entity ids are known (see relations/records.py).
RELATION_RECORD_SCHEMA = pa.schema(
    [f for f in RELATIONS.schema if f.name not in ("relation_id", "subject_id", "object_id", "supplier_id")]
    + [pa.field("supplier_mention_id", STR)]
)


def to_arrow(table: Table, rows: list[dict]) -> pa.Table:
    """Rows (dicts) -> a pyarrow table that conforms to the table's schema; unknown keys are an error."""
    names = {c.name for c in table.columns}
    for row in rows[:1]:
        extra = set(row) - names
        if extra:
            raise ValueError(f"{table.name}: unknown columns {sorted(extra)}")
    return pa.Table.from_pylist(rows, schema=table.schema)


def write_table(table: Table, rows: list[dict], path: str | Path) -> Path:
    """Validate rows against the schema and write Parquet atomically (see `TableWriter`)."""
    with TableWriter(table, path) as writer:
        writer.write(rows)
    return Path(path)


class TableWriter:
    """Writes one table in parts (`write(rows)` or `write_arrow`, each validated against the schema) to a hidden
    temp file beside `path`, then fsync and rename on a clean exit: a reader, or a run killed at any moment, sees
    the previous complete table or the new one, and a table of many documents never has to be in memory at once.
    On an error the temp file is removed and the old table stays. Temp files a killed run left behind
    (`.NAME.PID.tmp` of a process that is gone) are removed."""

    def __init__(self, table: Table, path: str | Path):
        self.table, self.path = table, Path(path)
        self.tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        self.rows = 0

    def __enter__(self) -> "TableWriter":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = pq.ParquetWriter(self.tmp, self.table.schema)
        return self

    def write(self, rows: list[dict]) -> None:
        self.write_arrow(to_arrow(self.table, rows))

    def write_arrow(self, data: pa.Table) -> None:
        if data.schema != self.table.schema:
            data = data.select(self.table.schema.names).cast(self.table.schema)
        if data.num_rows:
            self._writer.write_table(data)
        self.rows += data.num_rows

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self._writer.close()
            if exc_type is None:
                with open(self.tmp, "rb") as fh:
                    os.fsync(fh.fileno())
                os.replace(self.tmp, self.path)
        finally:
            self.tmp.unlink(missing_ok=True)
        _remove_stale_tmp(self.path)


def _remove_stale_tmp(path: Path) -> None:
    for old in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        pid = old.name[len(path.name) + 2 : -len(".tmp")]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            old.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def data_dictionary() -> str:
    """The Markdown data dictionary, generated from TABLES (docs/tables.md must equal this)."""
    out = [
        "# Data dictionary",
        "",
        "Generated from `pipeline/schemas.py` by `python -m pipeline docs`; a test checks it is in sync.",
        "",
    ]
    for t in TABLES.values():
        out += [f"## `{t.name}.parquet`", "", t.description + f" Key: `{t.key}`.", ""]
        out += ["| column | type | null | description |", "| --- | --- | --- | --- |"]
        for c in t.columns:
            out.append(f"| `{c.name}` | {c.type} | {'yes' if c.nullable else 'no'} | {c.description} |")
        out.append("")
    return "\n".join(out)
