"""Operators named in front of a system, and receivers of an aid package.

Operators named in front of a system: "Royal Air Force Typhoon jets", "an Indian Air Force MiG-21" (an armed force's
name), "Danish F-16s", "the Polish K2 tanks" (a country's demonym or name, when the system comes from another country:
"French CAESAR howitzers", "Turkish Bayraktar TB2" name the maker's country, not an operator). The operator procures
the system, status operates.

An aid package and what it includes: "a new package for Ukraine that includes 90 Brimstone missiles and 10 AS90 guns",
"an aid package to Kyiv including Patriot interceptors": the receiver procures each system (supplying has no predicate
of its own: the receiver procures).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Span

from ..labels import COUNTRY, ORG, WEAPON_SYSTEM
from .relation import Relation
from .rules import Rules, is_armed_force
from .syntax import negation_of, phrase_head


def operator_relations(sent: Span, ents: list[Span], rules: Rules) -> list[Relation]:
    out = []
    by_start = {e.start: e for e in ents if e.label_ == WEAPON_SYSTEM}
    for e in ents:
        w = by_start.get(e.end)
        if w is None or e.label_ not in (COUNTRY, ORG) or e.root.dep_ not in ("amod", "compound", "nmod"):
            continue
        if not (w.start <= e.root.head.i < w.end or phrase_head(e) == phrase_head(w)):
            continue
        if e.label_ == ORG and not is_armed_force(e, rules):
            continue
        if e.label_ == COUNTRY and rules.weapon_origins.get(w.kb_id_) in (None, e.kb_id_.split(":", 1)[-1]):
            continue  # the maker's country, or a system whose origin the registry does not know
        negated, cue = negation_of(phrase_head(w).head, [e], rules) if phrase_head(w).head != phrase_head(w) \
            else (False, None)
        out.append(Relation(e, "procures", w, "operator:premodifier", e.text, sent, negated, cue,
                            status="operates", confidence=0.55))
    return out


def package_relations(sent: Span, ents: list[Span], anchors: dict, rules: Rules) -> list[Relation]:
    out = []
    for t in sent:
        if t.lemma_.lower() not in rules.package_nouns or t.pos_ != "NOUN":
            continue
        receivers = [e for e in ents if e.label_ in (COUNTRY, ORG) and anchors.get(e) is not None
                     and anchors[e].dep_ == "pobj" and anchors[e].head.lower_ in ("for", "to")
                     and anchors[e].head.head == t]
        if not receivers:
            continue
        contents = [g for c in t.children if c.dep_ in ("relcl", "acl") and c.lemma_.lower() in rules.include_verbs
                    for g in c.children if g.dep_ == "dobj"]
        contents += [g for c in t.children if c.dep_ == "prep" and (c.lower_ in rules.include_verbs or
                                                                    c.lemma_.lower() in rules.include_verbs)
                     for g in c.children if g.dep_ == "pobj"]
        inside = {w.i for c in contents for w in c.subtree}
        systems = [e for e in ents if e.label_ == WEAPON_SYSTEM and e.root.i in inside]
        negated, cue = negation_of(t, receivers, rules)
        out += [Relation(r, "procures", w, "package:includes", t.text, sent, negated, cue, status="delivered",
                         confidence=0.6) for r in receivers for w in systems]
    return out
