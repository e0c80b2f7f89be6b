"""The construction catalogue: the specification of the relation rules, as data (`tests/constructions/*.yaml`).

One file per predicate. Each lists constructions of news English (active, passive, apposition, relative clause,
coordination, nominalisation, possessive, reference, title, reported speech, light verb, negation, ...), each with
sentences of our own (in no gold set) and the triples a reader takes from them, with polarity:

    predicate: procures
    constructions:
      - name: active verb, buyer as subject
        kind: active
        sentences:
          - text: "Romania bought 54 Abrams tanks from the United States."
            triples: [[Romania, procures, M1 Abrams]]
            absent: [[United States, procures, M1 Abrams]]   # must not be output as a positive statement
          - text: "Egypt cancelled its order for Rafale jets."
            triples: [[Egypt, procures, Rafale, negated]]
            xfail: "why the rules miss it (a known gap; the test fails once it passes, so the mark comes off)"

A name matches an argument by its text, its canonical key (`COUNTRY:ROU`, `bayraktar-tb2`) or a country's ISO code.
This module loads and checks the catalogue and tabulates its coverage for the README; the test that runs every
sentence through the real pipeline is `tests/test_constructions.py`. It must not import spaCy.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .labels import PREDICATES

CATALOGUE = Path(__file__).resolve().parents[1] / "tests" / "constructions"
NEGATION_KIND = "negation"
POLARITIES = ("positive", "negated")


@dataclass(frozen=True)
class Example:
    predicate: str  # the file's predicate
    construction: str
    kind: str
    text: str
    triples: tuple  # (subject, predicate, object, polarity)
    absent: tuple = ()  # (subject, predicate, object): never output as a positive statement
    xfail: str | None = None


@dataclass
class Construction:
    predicate: str
    name: str
    kind: str
    examples: list[Example] = field(default_factory=list)


def _triple(raw, where: str, *, with_polarity: bool) -> tuple:
    if not isinstance(raw, list) or len(raw) not in ((3, 4) if with_polarity else (3,)):
        raise ValueError(f"{where}: a triple is [subject, predicate, object{', polarity' if with_polarity else ''}]")
    s, p, o, *rest = (str(x) for x in raw)
    polarity = rest[0] if rest else "positive"
    if p not in PREDICATES or polarity not in POLARITIES:
        raise ValueError(f"{where}: unknown predicate {p!r} or polarity {polarity!r}")
    return (s, p, o, polarity) if with_polarity else (s, p, o)


def load_catalogue(folder: str | Path = CATALOGUE) -> list[Construction]:
    """Every construction of every file, checked (a malformed entry is an error naming the file and entry)."""
    out = []
    for path in sorted(Path(folder).glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        predicate = data.get("predicate")
        if predicate not in PREDICATES:
            raise ValueError(f"{path.name}: unknown predicate {predicate!r}")
        for i, c in enumerate(data.get("constructions") or []):
            where = f"{path.name}: construction {i + 1} ({c.get('name')!r})"
            if not c.get("name") or not c.get("kind") or not c.get("sentences"):
                raise ValueError(f"{where}: needs name, kind and sentences")
            con = Construction(predicate, c["name"], c["kind"])
            for j, s in enumerate(c["sentences"]):
                w = f"{where}, sentence {j + 1}"
                if not s.get("text") or not s.get("triples"):
                    raise ValueError(f"{w}: needs text and triples")
                con.examples.append(Example(
                    predicate, c["name"], c["kind"], s["text"],
                    tuple(_triple(t, w, with_polarity=True) for t in s["triples"]),
                    tuple(_triple(t, w, with_polarity=False) for t in s.get("absent") or []), s.get("xfail")))
            out.append(con)
    return out


def coverage(catalogue: list[Construction]) -> dict[str, dict]:
    """Per predicate: constructions, of them negative forms, sentences, and sentences the rules get right (those not
    marked xfail)."""
    out = {p: {"constructions": 0, "negative forms": 0, "sentences": 0, "passing": 0} for p in PREDICATES}
    for c in catalogue:
        row = out[c.predicate]
        row["constructions"] += 1
        row["negative forms"] += c.kind == NEGATION_KIND
        row["sentences"] += len(c.examples)
        row["passing"] += sum(e.xfail is None for e in c.examples)
    return out


def coverage_markdown(catalogue: list[Construction]) -> str:
    rows = coverage(catalogue)
    cols = ("constructions", "negative forms", "sentences", "passing")
    lines = ["| predicate | " + " | ".join(cols) + " |", "| --- |" + " --- |" * len(cols)]
    lines += [f"| {p} | " + " | ".join(str(r[c]) for c in cols) + " |" for p, r in rows.items()]
    total = {c: sum(r[c] for r in rows.values()) for c in cols}
    lines.append("| all | " + " | ".join(str(total[c]) for c in cols) + " |")
    return "\n".join(lines)


COVERAGE_START, COVERAGE_END = "<!-- catalogue:start", "<!-- catalogue:end -->"


def readme_with_coverage(readme: str, folder: str | Path = CATALOGUE) -> str:
    start = readme.index(COVERAGE_START)
    head_end = readme.index("\n", start) + 1
    end = readme.index(COVERAGE_END)
    return readme[:head_end] + coverage_markdown(load_catalogue(folder)) + "\n" + readme[end:]
