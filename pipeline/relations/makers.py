"""Maker relations (manufactures) read off a system's own phrase, and the operators that phrase names: a company's
possessive ("Baykar’s Bayraktar TB2"), a company name in front ("the Saab Gripen"), "X-made/X-built" before the
system; a possessed system in service ("the Swiss Air Force's ageing F/A-18 fleet", "to replace its MiG-29s")
gives procures with status operates.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

from ..labels import COUNTRY, ORG, WEAPON_CLASS_NOUNS, WEAPON_SYSTEM
from .relation import Relation
from .rules import Rules, is_armed_force, is_company
from .syntax import is_subject, negation_of, phrase_head, under_intent, within_phrase

def maker_relations(sent: Span, ents: list[Span], anchors: dict, rules: Rules, context=None) -> list[Relation]:
    out = []
    doc = sent.doc
    weapons = [e for e in ents if e.label_ == WEAPON_SYSTEM]
    # "Baykar’s Bayraktar TB2 drones and their follow-on model, the Bayraktar TB3": a company's possessive on a
    # phrase names the maker of every system in it (countries' possessives name owners, not makers).
    for e in ents:
        if e.label_ not in (ORG, COUNTRY) or e.root.dep_ != "poss":
            continue
        owned = e.root.head
        for w in weapons:
            if within_phrase(w, owned, anchors):
                cue = doc[e.end].text if e.end < len(doc) else "'s"
                if _in_service(owned, w, rules) or is_armed_force(e, rules):
                    # "the Swiss Air Force's ageing F/A-18 Hornet fleet", "the Israeli Air Force's F-35I jets"
                    out.append(Relation(e, "procures", w, "operator:possessive", cue, sent, status="operates",
                                        confidence=0.7))
                    out += _replacements(e, owned, weapons, anchors, sent, rules)
                elif e.label_ == ORG and is_company(e, rules):
                    out.append(Relation(e, "manufactures", w, "maker:possessive", cue, sent, confidence=0.75))
    # "Poland plans to use the jets to replace its ageing MiG-29 and Su-22 fighters": the pronoun's owner operates
    for tok in sent:
        if tok.dep_ == "poss" and tok.lower_ in ("its", "their") and _in_service(tok.head, None, rules):
            owners = [e for e in ents if e.end <= tok.i and is_subject(e) and e.label_ in (COUNTRY, ORG)]
            owner = clause_owner(tok, ents) or (owners[-1] if owners else (context or {}).get("THING"))
            for w in weapons:
                if owner is not None and within_phrase(w, tok.head, anchors):
                    out.append(Relation(owner, "procures", w, "operator:pronoun", tok.text, sent,
                                        status="operates", confidence=0.6))
            if owner is not None:
                out += _replacements(owner, tok.head, weapons, anchors, sent, rules)
    # the same when the parser loses the possessive: ORG + 's + system, side by side
    for e in ents:
        if e.label_ == ORG and is_company(e, rules) and e.end + 1 < len(doc) and doc[e.end].lower_ in ("'s", "’s"):
            for w in weapons:
                if w.start == e.end + 1:
                    out.append(Relation(e, "manufactures", w, "maker:possessive", doc[e.end].text, sent,
                                        confidence=0.7))
    # "16 Boeing P-8A Poseidon aircraft", "the Saab Gripen": a company's name in front of the system's
    for e in ents:
        if e.label_ == ORG and e.root.dep_ in ("compound", "nmod") and is_company(e, rules):
            for w in weapons:
                if w.start == e.end and (w.start <= e.root.head.i < w.end or e.start <= w.root.head.i < e.end
                                         or phrase_head(e) == phrase_head(w)):
                    out.append(Relation(e, "manufactures", w, "maker:premodifier", e.text, sent, confidence=0.7))
    # "Saab-built Gripen C/D", "US-built F-35A": maker + hyphen + participle right before the system
    for w in weapons:
        i = w.start - 1
        while i >= sent.start and (doc[i].lower_ in ("the", "a", "an") or doc[i].like_num):
            i -= 1
        if i - 2 >= sent.start and doc[i].lower_ in rules.maker_participles and doc[i - 1].text == "-":
            maker = next((e for e in ents if e.end == i - 1 and e.label_ in (ORG, COUNTRY)), None)
            if maker is not None:
                out.append(Relation(maker, "manufactures", w, "maker:hyphenated", doc[i].text, sent,
                                    confidence=0.8))
    # "… buy 24 Bayraktar TB2 drones, … to acquire the Turkish-made aircraft": with one system in the sentence, a
    # made-in phrase on a bare class noun speaks of it
    if len({w.kb_id_ for w in weapons}) == 1:
        for t in sent:
            if t.lower_ in rules.maker_participles and t.i >= sent.start + 2 and doc[t.i - 1].text == "-" \
                    and t.i + 1 < sent.end and doc[t.i + 1].lower_ in WEAPON_CLASS_NOUNS:
                maker = next((e for e in ents if e.end == t.i - 1 and e.label_ in (ORG, COUNTRY)), None)
                if maker is not None:
                    out.append(Relation(maker, "manufactures", weapons[0], "maker:hyphenated-anaphor", t.text, sent,
                                        confidence=0.55))
    return out


def _replacements(owner: Span, owned: Token, weapons: list[Span], anchors: dict, sent: Span, rules: Rules
                  ) -> list[Relation]:
    """The systems an owner replaces its own with: "it replaces its F-16 fleet with Lockheed Martin's F-35A" (the
    owner procures them; under intent, "wants to replace its MiG-29s with FA-50s", considers them; none when the
    replacing is negated)."""
    verb = owned.head
    if owned.dep_ != "dobj" or verb.lemma_.lower() not in rules.in_service_verbs or negation_of(verb, [], rules)[0]:
        return []
    objs = [g for h in (verb, owned) for c in h.children if c.dep_ == "prep" and c.lower_ == "with"
            for g in c.children if g.dep_ == "pobj"]
    objs += [c for o in objs for c in o.children if c.dep_ == "conj"]
    new = [w for w in weapons if any(within_phrase(w, o, anchors) for o in objs)]
    pred, status = ("considers_procuring", "considering") if under_intent(verb, rules) else ("procures", "ordered")
    return [Relation(owner, pred, w, "operator:replacement", "with", sent, status=status, confidence=0.55)
            for w in new if w.kb_id_ != owner.kb_id_]


def _in_service(owned: Token, weapon: Span, rules: Rules) -> bool:
    """A possessed system described as in service: "its ageing MiG-29", "the air force's F-16 fleet", or one that
    is being replaced or retired ("will replace the Finnish Air Force's 62 F/A-18 Hornets")."""
    words = {t.lower_ for t in owned.subtree} | {owned.lower_}
    replaced = owned.dep_ in ("dobj", "nsubjpass") and owned.head.lemma_.lower() in rules.in_service_verbs
    return replaced or bool(words & rules.in_service_cues)


def clause_owner(poss: Token, ents: list[Span]) -> Span | None:
    """Whose "its" is: the subject of the clause the possessed phrase is in, read up through the clauses it hangs off
    ("Germany, which signed a deal … to replace its aging Tornado jets": the relative clause's antecedent; "Norway's
    four boats will replace its six Ula-class submarines": the subject's possessor). None when no such subject is
    a country or organisation."""
    def ent_at(tok):
        return next((e for e in ents if e.start <= tok.i < e.end and e.label_ in (COUNTRY, ORG)), None)

    verb = poss.head.head
    for _ in range(4):
        subj = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is not None:
            if subj.lower_ in ("which", "that", "who") and verb.dep_ == "relcl":
                doc = subj.doc  # "a plant in Germany, which signed": the name right before ", which"
                named = ent_at(doc[subj.i - 2]) if subj.i >= 2 and doc[subj.i - 1].text == "," else None
                return named or ent_at(verb.head)
            found = ent_at(subj) or next((ent_at(c) for c in subj.children if c.dep_ == "poss" and ent_at(c)), None)
            return found
        if verb.dep_ not in ("xcomp", "advcl", "conj", "ccomp") or verb.head == verb:
            return None
        verb = verb.head
    return None
