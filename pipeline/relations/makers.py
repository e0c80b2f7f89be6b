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
from .procurement import ANAPHOR_WINDOW
from .relation import Relation
from .rules import COMPANY, Rules, is_armed_force, is_company
from .syntax import NP_DEPS, is_subject, modifies, negation_of, phrase_head, under_intent, within_phrase

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
            if within_phrase(w, owned, anchors) and not _named_otherwise(w, owned) \
                    and not _other_possessor(w, e, ents):
                cue = doc[e.end].text if e.end < len(doc) else "'s"
                if _in_service(owned, w, rules) or is_armed_force(e, rules):
                    # "the Swiss Air Force's ageing F/A-18 Hornet fleet", "the Israeli Air Force's F-35I jets"
                    out.append(Relation(e, "procures", w, "operator:possessive", cue, sent, status="operates",
                                        confidence=0.7))
                    out += _replacements(e, owned, weapons, anchors, sent, rules)
                elif e.label_ == ORG and is_company(e, rules):
                    out.append(Relation(e, "manufactures", w, "maker:possessive", cue, sent, confidence=0.75))
                elif e.label_ == COUNTRY and _bought_by_another(owned, e, rules):
                    # "governments looked at Sweden's Gripen and South Korea's FA-50", "to buy Israel's Arrow 3": a
                    # country's system that another party buys or considers is the country's make
                    out.append(Relation(e, "manufactures", w, "maker:possessive-country", cue, sent, confidence=0.55))
    # "Lockheed Martin's stealth aircraft beat four rivals", "Indonesia flies the company's T-50 trainer jets": a
    # company's (or "the company's") possessive on a class noun or a system, when nothing says it is in service
    for tok in sent:
        if tok.dep_ != "poss" or _in_service(tok.head, None, rules):
            continue
        owner = next((e for e in ents if e.start <= tok.i < e.end), None)
        if owner is None and tok.lemma_.lower() in rules.company_nouns and not tok.ent_type_ and any(
                d.dep_ == "det" and d.lower_ in rules.referring_dets for d in tok.children):
            named = [e for e in ents if e.end <= tok.i and e.label_ == ORG and is_company(e, rules)]
            owner = named[-1] if named else (context or {}).get(COMPANY)
            own = [w for w in weapons if within_phrase(w, tok.head, anchors)]
            if owner is not None:
                out += [Relation(owner, "manufactures", w, "maker:possessive-reference", tok.text, sent,
                                 confidence=0.6) for w in own]
        if owner is None or owner.label_ != ORG or not is_company(owner, rules) or owner.root != tok:
            continue
        owned = tok.head
        if owned.lower_ in WEAPON_CLASS_NOUNS and not any(within_phrase(w, owned, anchors) for w in weapons):
            out += [Relation(owner, "manufactures", w, "maker:possessive-anaphor", doc[owner.end].text, sent,
                             confidence=0.55) for w in _class_meant(owned, weapons, rules)]
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
                # "Chinese-made FK-3 air defence systems and CH-92A combat drones": the participle speaks for the
                # phrases coordinated with its own, up to one with a maker of its own ("… as well as Russian-made X")
                for w2 in _coordinated(_own_head(w), weapons, rules):
                    out.append(Relation(maker, "manufactures", w2, "maker:hyphenated", doc[i].text, sent,
                                        confidence=0.7))
    # "… buy 24 Bayraktar TB2 drones, … to acquire the Turkish-made aircraft", "the French-made warplane" beside a
    # Rafale and a frigate, "35 of the Lockheed-built stealth fighters": a made-in phrase on a bare class noun speaks
    # of the one system in the sentence, else of the one of a fitting class (in the sentence, else named before)
    for t in sent:
        if t.lower_ in rules.maker_participles and t.i >= sent.start + 2 and doc[t.i - 1].text == "-" \
                and t.dep_ == "amod" and t.head.i > t.i and t.head.lower_ in WEAPON_CLASS_NOUNS \
                and not any(w.start <= t.head.i < w.end or modifies(w, t.head) for w in weapons):
            maker = next((e for e in ents if e.end == t.i - 1 and e.label_ in (ORG, COUNTRY)), None)
            if maker is None:
                continue
            meant = _class_meant(t.head, weapons, rules)
            out += [Relation(maker, "manufactures", w, "maker:hyphenated-anaphor", t.text, sent, confidence=0.55)
                    for w in meant]
    # "the Meteor beyond-visual-range missile from MBDA": a company "from" which a system's phrase comes makes it
    for w in weapons:
        head = _own_head(w)
        for prep in head.children:
            if prep.dep_ == "prep" and prep.lower_ == "from" and prep.i >= w.end:
                for e in ents:
                    if e.label_ == ORG and is_company(e, rules) and any(
                            g.dep_ == "pobj" and (e.root == g or anchors.get(e) == g) for g in prep.children):
                        out.append(Relation(e, "manufactures", w, "maker:from", prep.text, sent, confidence=0.6))
    # "the Iran-backed Hezbollah terror group", "the Moscow-led CSTO": a backer + hyphen + participle on a party's
    # phrase cooperates with it
    for t in sent:
        if t.lower_ in rules.backing_participles and t.i - 2 >= sent.start and doc[t.i - 1].text == "-":
            backer = next((e for e in ents if e.end == t.i - 1 and e.label_ in (ORG, COUNTRY)), None)
            backed = [e for e in ents if e.label_ in (ORG, COUNTRY) and e.start > t.i
                      and (e.root == t.head or phrase_head(e) == t.head)]
            if backer is not None:
                out += [Relation(backer, "cooperates_with", e, "partner:hyphenated", t.text, sent, confidence=0.65)
                        for e in backed[:1] if e.kb_id_ != backer.kb_id_]
    out += national_makers(ents, anchors, sent, rules)
    out += lost_country_possessives(ents, sent, rules)
    return out


def lost_country_possessives(ents: list[Span], sent: Span, rules: Rules) -> list[Relation]:
    """A country + 's + system the parser did not read as a possessive ("looked at Sweden's Gripen and South Korea's
    FA-50": "Korea" made a conjunct): as for a possessive, the country makes the system another party buys or
    considers."""
    doc, out = sent.doc, []
    for e in ents:
        if e.label_ != COUNTRY or e.root.dep_ == "poss" or e.end + 1 >= sent.end \
                or doc[e.end].lower_ not in ("'s", "’s") or doc[e.end].head.i not in range(e.start, e.end):
            continue
        for w in ents:
            if w.label_ == WEAPON_SYSTEM and w.start == e.end + 1 and _bought_by_another(w.root, e, rules):
                out.append(Relation(e, "manufactures", w, "maker:possessive-country", doc[e.end].text, sent,
                                    confidence=0.5))
    return out


def national_makers(ents: list[Span], anchors: dict, sent: Span, rules: Rules) -> list[Relation]:
    """A country's possessive on a phrase with a maker participle: "North Korea's newly developed weapons, including
    the Hwasong-18", "China's first domestically built carrier, the Fujian": the country makes the systems of the
    phrase and of the list it introduces (not one the registry says another country makes)."""
    out = []
    weapons = [e for e in ents if e.label_ == WEAPON_SYSTEM]
    for e in ents:
        if e.label_ != COUNTRY or e.root.dep_ != "poss":
            continue
        owned = e.root.head
        if not any(c.dep_ == "amod" and c.tag_ == "VBN" and c.lower_ in rules.maker_participles
                   for c in owned.children):
            continue
        # the list the phrase introduces: "including X" on the phrase, or on the noun its "of" phrase hangs on
        holders = [owned] + ([owned.head.head] if owned.dep_ == "pobj" and owned.head.lower_ == "of" else []) + (
            [owned.head] if owned.dep_ == "conj" else [])
        listed = [g for h in holders for c in h.children if c.dep_ == "prep" and c.lower_ in rules.list_preps
                  for g in c.children if g.dep_ == "pobj"]
        iso = e.kb_id_.split(":", 1)[-1]
        for w in weapons:
            if rules.weapon_origins.get(w.kb_id_, iso) != iso:
                continue
            if within_phrase(w, owned, anchors) or any(within_phrase(w, g, anchors) for g in listed):
                out.append(Relation(e, "manufactures", w, "maker:national-participle", e.text, sent,
                                    confidence=0.6))
    return out


def _bought_by_another(owned: Token, owner: Span, rules: Rules) -> bool:
    """The possessed phrase (or the first of the phrases it is coordinated with) is the object of a buying or
    considering verb whose subject is not its possessor."""
    t = owned
    for _ in range(3):  # up to the head of the phrase ("Sweden's Gripen and South Korea's FA-50")
        if t.dep_ not in NP_DEPS or t.head == t:
            break
        t = t.head
    if t.dep_ == "dobj":
        verb = t.head
    elif t.dep_ == "pobj" and t.head.dep_ == "prep":
        verb = t.head.head
    else:
        return False
    preds = rules.triggers.get(verb.lemma_.lower(), {})
    if verb.pos_ != "VERB" or not ({"procures", "considers_procuring"} & set(preds)) or verb.lemma_.lower() in \
            rules.supplier:
        return False
    return not any(c.dep_ == "nsubj" and owner.start <= c.i < owner.end for c in verb.children)


def _class_meant(noun: Token, weapons: list[Span], rules: Rules) -> list[Span]:
    """The system a bare class noun ("the Turkish-made aircraft", "Lockheed Martin's stealth aircraft") speaks of:
    the one of a fitting class named before it in the sentence, else in the window before, else the one system of
    the sentence unless it is of another class; none when two fit."""
    doc, at = noun.doc, noun.i
    kinds = rules.class_nouns.get(noun.lemma_.lower(), frozenset())
    fitting = [w for w in weapons if rules.weapon_classes.get(w.kb_id_) in kinds]
    before = [w for w in fitting if w.end <= at]
    named = [e for e in doc.ents if e.label_ == WEAPON_SYSTEM and at - ANAPHOR_WINDOW <= e.start
             and e.end <= at and rules.weapon_classes.get(e.kb_id_) in kinds]
    if len({w.kb_id_ for w in before}) == 1:
        return before[:1]
    if len({e.kb_id_ for e in named}) == 1:
        return named[-1:]
    if len({w.kb_id_ for w in weapons}) == 1 and (not kinds or weapons[0].kb_id_ not in rules.weapon_classes
                                                 or weapons == fitting):
        return weapons[:1]
    return []


def _named_otherwise(w: Span, owned: Token) -> bool:
    """A system listed beside the possessed one that names its own maker or seller: "Boeing's Super Hornet, the
    Rafale built by France's Dassault Aviation, the Eurofighter offered by a consortium" (Boeing makes neither)."""
    head = _own_head(w)
    if head == owned or w.start <= owned.i < w.end:
        return False
    return any(c.dep_ in ("acl", "relcl") and any(g.dep_ == "agent" for g in c.children) for c in head.children)


def _own_head(w: Span) -> Token:
    """The head noun of the system's own phrase, not climbing to a phrase it is coordinated or in apposition with."""
    t = w.root
    for _ in range(4):
        if t.head == t or t.dep_ not in NP_DEPS - {"conj", "appos", "cc"} or t.head.pos_ not in ("NOUN", "PROPN", "NUM"):
            break
        t = t.head
    return t


def _coordinated(head: Token, weapons: list[Span], rules: Rules) -> list[Span]:
    """The systems of the noun phrases coordinated with the one headed by `head`, nearest first, up to a phrase with
    a hyphenated maker participle of its own."""
    out, t = [], head
    for _ in range(4):
        nxt = next((c for c in t.children if c.dep_ == "conj"), None)
        if nxt is None or any(d.lower_ in rules.maker_participles and d.i > 0 and d.doc[d.i - 1].text == "-"
                              for d in nxt.subtree if d.i < nxt.i):
            break
        out += [w for w in weapons if phrase_head(w) == nxt or w.root == nxt or modifies(w, nxt)]
        t = nxt
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


def _other_possessor(w: Span, owner: Span, ents: list[Span]) -> bool:
    """A system right after another entity's 's: "Germany's Leopard 2 and South Korea's K2" (Germany owns no K2,
    whatever the parser hangs on what)."""
    doc = w.doc
    if w.start < 2 or doc[w.start - 1].lower_ not in ("'s", "’s"):
        return False
    return any(e.end == w.start - 1 and e.kb_id_ != owner.kb_id_ for e in ents)
