"""The evaluate stage: scores the output tables against gold annotations (data/gold/*.jsonl).

Scoring follows data/gold/README.md and agrees with the reference scorer (tests/reference_score.py, a test checks
the figures): entities per document by type, matched by name/alias (case-folded, accents and a trailing "'s"
removed, hyphens as spaces) or by ISO code for countries, one-to-one; relations per document as (subject,
predicate, object) after mapping entities onto gold, symmetric predicates unordered, `optional` ignored, `negatives`
output as positive counted as false positives. Micro-averaged P/R/F per type, per predicate and overall.
Pure core: `score(tables, gold) -> Scores`; reading and writing files is the CLI's job.
"""
from __future__ import annotations

import json
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .labels import ENTITY_LABELS, SYMMETRIC_PREDICATES


def norm(text) -> str:
    if text is None:
        return ""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").replace("‘", "'").lower().strip()
    if text.endswith("'s"):
        text = text[:-2]
    return " ".join(text.replace("-", " ").split())


def _names(entity: dict) -> set[str]:
    aliases = entity.get("aliases")
    return {norm(entity["name"])} | {norm(a) for a in (list(aliases) if aliases is not None else [])}


def matches(system: dict, gold: dict, *, strict_type: bool = True) -> bool:
    if strict_type and system["label"] != gold["type"]:
        return False
    if gold.get("iso3") and system.get("iso3") and gold["type"] == "COUNTRY" and system["label"] == "COUNTRY":
        return str(system["iso3"]).upper() == gold["iso3"].upper()
    gold_keys = {norm(gold["name"])} | {norm(a) for a in gold.get("aliases", [])}
    return norm(system["name"]) in gold_keys or norm(gold["name"]) in _names(system)


def prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 3), "r": round(r, 3), "f": round(f, 3), "tp": tp, "fp": fp, "fn": fn}


@dataclass
class Scores:
    entities: dict = field(default_factory=dict)
    relations: dict = field(default_factory=dict)
    negated_as_positive: int = 0
    missing_docs: list = field(default_factory=list)
    by_document: dict = field(default_factory=dict)

    def summary(self) -> dict:
        return {"entities": self.entities, "relations": self.relations,
                "negated_as_positive": self.negated_as_positive, "missing_docs": self.missing_docs}


def _key(s, predicate, o) -> tuple:
    if predicate in SYMMETRIC_PREDICATES:
        s, o = sorted([s, o], key=str)
    return (s, predicate, o)


def score(tables: dict[str, pd.DataFrame], gold: list[dict]) -> Scores:
    docs, mentions, ents, rels = (tables[n] for n in ("documents", "mentions", "entities", "relations"))
    by_id = {r["entity_id"]: r for r in ents.to_dict("records")}
    base = docs["source_path"].map(lambda s: Path(str(s)).name)
    etp, efp, efn, rtp, rfp, rfn = (Counter() for _ in range(6))
    out = Scores()
    for g in gold:
        misses = out.by_document.setdefault(g["doc"], defaultdict(list))
        row = docs[base == g["doc"]]
        if row.empty:
            out.missing_docs.append(g["doc"])
            for ge in g["entities"]:
                efn[ge["type"]] += 1
            for gr in g["relations"]:
                rfn[gr["predicate"]] += 1
            continue
        doc_id = row.iloc[0]["doc_id"]
        ids = set(mentions.loc[mentions["doc_id"] == doc_id, "entity_id"])
        system = [by_id[i] for i in sorted(ids) if i in by_id and by_id[i]["label"] in ENTITY_LABELS]
        used: set[int] = set()
        for ge in g["entities"]:
            hit = next((i for i, p in enumerate(system) if i not in used and matches(p, ge)), None)
            if hit is None:
                efn[ge["type"]] += 1
                misses["entity_fn"].append(f"{ge['type']} {ge['name']}")
            else:
                used.add(hit)
                etp[ge["type"]] += 1
        for i, p in enumerate(system):
            if i in used or any(matches(p, ge, strict_type=False) and p["label"] != ge["type"]
                                for ge in g["entities"]):
                continue  # another type than gold's (a capital as LOCATION for a country alias): passed over
            efp[p["label"]] += 1
            misses["entity_fp"].append(f"{p['label']} {p['name']}")

        def to_gold(eid):
            p = by_id.get(eid)
            if p is None:
                return None
            return next((ge["name"] for ge in g["entities"] if matches(p, ge, strict_type=False)), "?" + str(p["name"]))

        gset = {_key(r["subject"], r["predicate"], r["object"]) for r in g["relations"]}
        opt = {_key(r["subject"], r["predicate"], r["object"]) for r in g.get("optional", [])}
        negs = {_key(r["subject"], r["predicate"], r["object"]) for r in g.get("negatives", [])}
        mine = rels[(rels["doc_id"] == doc_id) & ~rels["negated"].fillna(False).astype(bool)]
        pset = {_key(to_gold(r["subject_id"]), r["predicate"], to_gold(r["object_id"])) for r in mine.to_dict("records")}
        for k in sorted(pset, key=str):
            if k in gset:
                rtp[k[1]] += 1
            elif k not in opt:
                rfp[k[1]] += 1
                out.negated_as_positive += k in negs
                misses["relation_fp"].append(" ".join(map(str, k)))
        for k in sorted(gset - pset, key=str):
            rfn[k[1]] += 1
            misses["relation_fn"].append(" ".join(map(str, k)))
    out.entities = {t: prf(etp[t], efp[t], efn[t]) for t in ENTITY_LABELS}
    out.entities["ALL"] = prf(sum(etp.values()), sum(efp.values()), sum(efn.values()))
    out.relations = {p: prf(rtp[p], rfp[p], rfn[p]) for p in sorted(set(rtp) | set(rfp) | set(rfn))}
    out.relations["ALL"] = prf(sum(rtp.values()), sum(rfp.values()), sum(rfn.values()))
    out.by_document = {d: {k: sorted(x) if k.startswith("relation") else x for k, x in v.items()}
                       for d, v in out.by_document.items()}
    return out


def combine(parts: list[Scores]) -> Scores:
    """Micro-averaged scores of several sets together: their counts added, then P/R/F again."""
    out = Scores()
    for part in ("entities", "relations"):
        keys = sorted({k for s in parts for k in getattr(s, part)}, key=lambda k: (k == "ALL", k))
        setattr(out, part, {k: prf(*(sum(getattr(s, part).get(k, {}).get(c, 0) for s in parts)
                                     for c in ("tp", "fp", "fn"))) for k in keys})
    out.negated_as_positive = sum(s.negated_as_positive for s in parts)
    out.missing_docs = [d for s in parts for d in s.missing_docs]
    return out


def read_gold(path: str | Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def score_table_markdown(sets: dict[str, Scores]) -> str:
    """The score table the README shows: P, R and F1 of every set side by side (the last column group is usually
    the sets together)."""
    names = list(sets)
    lines = ["| | " + " | ".join(f"{n} P | {n} R | {n} F1" for n in names) + " |",
             "| --- |" + " --- | --- | --- |" * len(names)]
    for part, label, order in (("entities", "entity", ("ALL",) + ENTITY_LABELS), ("relations", "relation", None)):
        keys = {k for s in sets.values() for k in getattr(s, part)}
        keys = [k for k in order if k in keys] if order else ["ALL"] + sorted(keys - {"ALL"})
        for k in keys:
            cells = []
            for s in sets.values():
                v = getattr(s, part).get(k)
                cells.append(f"{v['p']:.3f} | {v['r']:.3f} | {v['f']:.3f}" if v else "– | – | –")
            lines.append(f"| {label} {k} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


SCORES_START, SCORES_END = "<!-- scores:start", "<!-- scores:end -->"


def metrics_path(metrics_dir: str | Path, name: str) -> Path:
    """Where the evaluate stage writes one set's summary (DVC metrics): metrics/eval_<set>.json."""
    return Path(metrics_dir) / f"eval_{name}.json"


def load_summary(path: str | Path) -> Scores:
    m = json.loads(Path(path).read_text(encoding="utf-8"))
    return Scores(entities=m["entities"], relations=m["relations"], negated_as_positive=m["negated_as_positive"])


def readme_with_scores(readme: str, metrics_dir: Path, sets=("dev", "dev2", "all")) -> str:
    """The README with its score table replaced by the one the metrics files of the sets give."""
    table = score_table_markdown({n: load_summary(metrics_path(metrics_dir, n)) for n in sets})
    start = readme.index(SCORES_START)
    head_end = readme.index("\n", start) + 1
    end = readme.index(SCORES_END)
    return readme[:head_end] + table + "\n" + readme[end:]
