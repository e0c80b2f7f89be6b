"""The entities stage: mentions of each document, and canonical entities across the corpus.

Per document (pure, from a resolved Doc): one mention row per entity span of ours. Across the corpus (a cheap pass
over the mention rows): a lone surname that one full name explains everywhere ("Erdogan" → "Recep Tayyip Erdogan")
joins it, and each entity gets its canonical name, every alias seen, its country and registry attributes.
"""
from __future__ import annotations

import bisect
import hashlib
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from .gazetteer import Registry, fold
from .labels import COUNTRY, ENTITY_LABELS, ORG, PERSON, WEAPON_SYSTEM

if TYPE_CHECKING:  # spaCy is needed only where Docs are made (annotate), not for the corpus pass
    from spacy.tokens import Doc


def mention_id(doc_id: str, start: int, end: int) -> str:
    return hashlib.sha256(f"{doc_id}:{start}:{end}".encode()).hexdigest()[:16]


def doc_mentions(doc_id: str, doc: Doc) -> list[dict]:
    """Mention rows for one annotated Doc; entity_id is the document-level key from the resolver."""
    sent_index = {s.start: i for i, s in enumerate(doc.sents)} if doc.has_annotation("SENT_START") else {}
    starts = sorted(sent_index)
    rows = []
    for ent in doc.ents:
        if ent.label_ not in ENTITY_LABELS or not ent.kb_id_:
            continue
        si = _sentence_of(ent.start, starts, sent_index)
        rows.append(
            {
                "doc_id": doc_id,
                "mention_id": mention_id(doc_id, ent.start_char, ent.end_char),
                "entity_id": ent.kb_id_,
                "label": ent.label_,
                "text": ent.text,
                "start_char": ent.start_char,
                "end_char": ent.end_char,
                "sentence_index": si,
                "source": ent.id_ or "model",
            }
        )
    return rows


def _sentence_of(token_i: int, starts: list[int], index: dict[int, int]) -> int:
    pos = bisect.bisect_right(starts, token_i) - 1
    return index[starts[pos]] if pos >= 0 else 0


def corpus_merge_map(mentions: list[dict]) -> dict[str, str]:
    """entity_id -> entity_id for one-word person names that exactly one multi-word person name explains."""
    full_by_word: dict[str, set[str]] = defaultdict(set)
    single = set()
    for m in mentions:
        if m["label"] != PERSON:
            continue
        words = m["text"].split()
        if len(words) > 1:
            for w in (words[0], words[-1]):
                full_by_word[fold(w)].add(m["entity_id"])
        else:
            single.add((fold(m["text"]), m["entity_id"]))
    merge = {}
    for word, eid in single:
        cands = full_by_word.get(word, set()) - {eid}
        if len(cands) == 1:
            merge[eid] = next(iter(cands))
    return merge


def merged(mentions: list[dict], merge: dict[str, str]) -> list[dict]:
    """Mention rows with the corpus merge applied to their entity ids."""
    return [{**m, "entity_id": merge.get(m["entity_id"], m["entity_id"])} for m in mentions]


def merged_table(mentions: pa.Table, merge: dict[str, str]) -> pa.Table:
    """`merged` on an Arrow table."""
    if not merge:
        return mentions
    ids = mentions["entity_id"]
    at = pc.index_in(ids, value_set=pa.array(list(merge), pa.string()))
    new = pa.array(list(merge.values()), pa.string()).take(at)
    return mentions.set_column(mentions.schema.get_field_index("entity_id"), "entity_id",
                               pc.if_else(pc.is_null(at), ids, new))


class EntityTally:
    """The entities table, tallied from merged mention rows: row by row (`add`, rows grouped by document) or from an
    Arrow table (`of_table`, what the corpus pass uses); it holds per-entity counts and names, not the mentions."""

    def __init__(self, reg: Registry):
        self.reg = reg
        self.forms: dict[str, Counter] = defaultdict(Counter)
        self.n_docs: Counter = Counter()
        self.counts: Counter = Counter()
        self.sources: dict[str, set] = defaultdict(set)
        self._last_doc: dict[str, str] = {}

    def add(self, mentions: list[dict]) -> None:
        for m in mentions:
            eid = m["entity_id"]
            # A capital standing for its country ("Ankara said") stays in mentions but is no name of the country:
            # listed as an alias it would make the same word name the city in other documents.
            if not (m["label"] == COUNTRY and fold(m["text"]) in self.reg.country_by_capital):
                self.forms[eid][m["text"]] += 1
            if self._last_doc.get(eid) != m["doc_id"]:
                self._last_doc[eid] = m["doc_id"]
                self.n_docs[eid] += 1
            self.counts[eid] += 1
            self.sources[eid].add(m["source"])

    @classmethod
    def of_table(cls, mentions: pa.Table, reg: Registry) -> "EntityTally":
        """The same tally from an Arrow table of merged mention rows (any order), by Arrow group-bys: no Python
        object per mention, only per distinct entity name and source."""
        tally = cls(reg)
        per_entity = mentions.group_by("entity_id").aggregate([("doc_id", "count_distinct"), ("doc_id", "count")])
        for eid, n_docs, n in zip(*(per_entity[c].to_pylist() for c in ("entity_id", "doc_id_count_distinct",
                                                                          "doc_id_count"))):
            tally.n_docs[eid], tally.counts[eid] = n_docs, n
        named = mentions.group_by(["entity_id", "label", "text"]).aggregate([("doc_id", "count")])
        for eid, label, text, n in zip(*(named[c].to_pylist() for c in ("entity_id", "label", "text",
                                                                         "doc_id_count"))):
            if not (label == COUNTRY and fold(text) in reg.country_by_capital):  # (see `add`)
                tally.forms[eid][text] += n
        sources = mentions.group_by(["entity_id", "source"]).aggregate([])
        for eid, source in zip(sources["entity_id"].to_pylist(), sources["source"].to_pylist()):
            tally.sources[eid].add(source)
        return tally

    def rows(self) -> list[dict]:
        """One entity row per entity id, sorted by it."""
        reg = self.reg
        rows = []
        for eid in sorted(self.counts):
            label, key = eid.split(":", 1)
            named = self.forms[eid]
            row = {
                "entity_id": eid,
                "label": label,
                "name": _canonical_name(label, key, named, reg),
                "aliases": sorted(named),
                "iso3": None,
                "n_docs": self.n_docs[eid],
                "n_mentions": self.counts[eid],
                "in_registry": "registry" in self.sources[eid],
                "weapon_class": None,
                "manufacturer_id": None,
                "origin_iso3": None,
            }
            if label == COUNTRY:
                row["iso3"] = key
            elif label == WEAPON_SYSTEM and key in reg.weapons:
                w = reg.weapons[key]
                row.update(iso3=w.origin_iso3, origin_iso3=w.origin_iso3, weapon_class=w.weapon_class,
                           in_registry=True)
                if w.manufacturer:
                    row["manufacturer_id"] = f"{ORG}:{w.manufacturer}"
            elif label == ORG and key in reg.organisations:
                row.update(iso3=reg.organisations[key].iso3, in_registry=True)
            elif label == ORG:
                first = row["name"].split()[0] if row["name"] else ""
                row["iso3"] = reg.country_iso3(first) if first else None
            rows.append(row)
        # A registry maker of a mentioned system that no document names gets a row of its own (no mentions), so
        # that every manufacturer_id resolves to an entities row.
        known = {r["entity_id"] for r in rows}
        for maker in sorted({r["manufacturer_id"] for r in rows if r["manufacturer_id"]} - known):
            org = reg.organisations.get(maker.split(":", 1)[1])
            rows.append({"entity_id": maker, "label": ORG, "name": org.name if org else maker.split(":", 1)[1],
                         "aliases": [], "iso3": org.iso3 if org else None, "n_docs": 0, "n_mentions": 0,
                         "in_registry": org is not None, "weapon_class": None, "manufacturer_id": None,
                         "origin_iso3": None})
        return sorted(rows, key=lambda r: r["entity_id"])


def mention_order(m: dict) -> tuple:
    """The mentions table's row order."""
    return m["doc_id"], m["start_char"], m["end_char"]


def build_entities(mentions: list[dict], reg: Registry) -> tuple[list[dict], list[dict]]:
    """Apply the corpus merge to mention rows and derive one entity row per entity_id (both sorted, deterministic).
    (The corpus pass in `stages.run_entities` does the same on Arrow columns.)"""
    rows = sorted(merged(mentions, corpus_merge_map(mentions)), key=mention_order)
    tally = EntityTally(reg)
    tally.add(rows)
    return rows, tally.rows()


def _canonical_name(label: str, key: str, forms: Counter, reg: Registry) -> str:
    if label == COUNTRY:
        return reg.country_name(key)
    if label == WEAPON_SYSTEM and key in reg.weapons:
        return reg.weapons[key].name
    if label == ORG and key in reg.organisations:
        return reg.organisations[key].name
    # The longest form seen (a full name over a surname), then the most frequent, then alphabetical.
    return sorted(forms, key=lambda f: (-len(f.split()), -forms[f], f))[0]
