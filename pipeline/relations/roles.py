"""Role relations (holds_role): titles before a person ("Turkish Defence Minister Yasar Guler") or in apposition
("Haluk Bayraktar, Baykar's chief executive"), a counterpart's role, and the country of a government title the
phrase leaves implicit, settled once the whole document is read (`settle_role_countries`).
"""
from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

from ..labels import COUNTRY, ORG, PERSON
from .relation import EntityIndex, Relation
from .rules import Rules, is_armed_force
from .syntax import is_subject

def role_relations(sent: Span, ents: list[Span], rules: Rules, focus: Span | None,
                    index: EntityIndex | None = None, context: dict | None = None) -> list[Relation]:
    """The holds_role relations of a sentence's persons; `context`: the last subject per pronoun kind (for "its
    Executive Director Cindy McCain")."""
    out = []
    context = context or {}
    for person in (e for e in ents if e.label_ == PERSON):
        # titles right before the name: "Turkish Defence Minister Yasar Guler", "Polish President Andrzej Duda"
        i = person.start - 1
        # (past a rank or honorific: "Chief of Army Staff Gen Qamar Javed Bajwa", "Prime Minister Sir Keir Starmer")
        i = _before_prefixes(sent, i, rules)
        before = i  # the last token before the name and its prefixes
        words: list[Token] = []
        # (also through a possessive: "South Sudan's President Salva Kiir")
        while i >= sent.start and (sent.doc[i].lower_ in rules.titles or sent.doc[i].ent_type_ in (COUNTRY, ORG)
                                   or (sent.doc[i].lower_ in ("'s", "’s") and i - 1 >= sent.start
                                       and sent.doc[i - 1].ent_type_ in (COUNTRY, ORG))
                                   or (sent.doc[i].text == "-" and i - 1 >= sent.start and words
                                       and sent.doc[i - 1].lower_ in rules.titles)):  # "Secretary-General"
            words.insert(0, sent.doc[i])
            i -= 1
        owner = _possessor(sent.doc[i], rules, context) if i >= sent.start else None
        found = _role_from_words(person, words, ents, sent, rules, focus, "role:premodifier", index, owner)
        if not found and len(words) >= 2 and words[-1].lower_ in ("'s", "’s") and words[-2].ent_type_ == COUNTRY:
            # "Pakistan's Imran Khan": no role, but the person's own country, for an implicit title elsewhere
            country = next((e for e in ents if e.label_ == COUNTRY and e.start <= words[-2].i < e.end), None)
            if country is not None:
                found = [Relation(person, "holds_role", country, NATIONALITY, "'s", sent, confidence=0.0)]
        out += found
        # apposition: "Selcuk Bayraktar, the firm’s chief technology officer"; "X, Baykar's chief executive"
        doc = sent.doc
        if person.end < len(doc) and doc[person.end].text == ",":
            for child in person.root.children:
                if child.dep_ == "appos" and child.i > person.end:
                    phrase = _own_phrase([t for t in child.subtree if t.i > person.end], person, ents, rules)
                    owner = next((o for t in phrase if (o := _possessor(t, rules, context)) is not None), None)
                    out += _role_from_words(person, phrase, ents, sent, rules, focus, "role:apposition", index,
                                            owner)
        # "the RTAF commander, Punpakdee Pattanakul, said": spaCy makes the person the title's apposition
        if person.root.dep_ == "appos" and person.root.head.i < person.start and doc[before].text == ",":
            phrase = [t for t in person.root.head.subtree if t.i < before]
            out += _role_from_words(person, phrase, ents, sent, rules, focus, "role:apposition", index)
    out += _predicate_roles(sent, ents, rules, focus, index, context)
    # "German Defence Minister Boris Pistorius and his Israeli counterpart Yoav Gallant": a counterpart holds the
    # role the sentence gives the other person
    named = [r.role for r in out if r.role and r.role.lower() not in rules.counterparts]
    return [replace(r, role=named[0], rule="role:counterpart")
            if named and r.role and r.role.lower() in rules.counterparts else r for r in out]


def _predicate_roles(sent: Span, ents: list[Span], rules: Rules, focus, index, context: dict) -> list[Relation]:
    """A role given by a verb's complement to its subject: "Rustem Umerov was appointed defence minister of
    Ukraine", "She served as Chile's defence minister" (a pronoun: the person named last as a subject), "X
    became chief executive of Saab"."""
    out = []
    persons = {e.root.i: e for e in ents if e.label_ == PERSON}
    for verb in sent:
        lemma = verb.lemma_.lower()
        if lemma not in rules.role_verbs and lemma not in rules.office_verbs:
            continue
        person = None
        for child in verb.children:
            if child.dep_ in ("nsubj", "nsubjpass"):
                person = persons.get(child.i)
                if person is None and rules.pronouns.get(child.lower_) == PERSON:
                    person = context.get(PERSON)
                if person is None and child.lower_ in ("who", "that") and verb.dep_ == "relcl":
                    person = persons.get(verb.head.i)  # "Anwar Ibrahim, who holds …"
        if person is None:
            continue
        if lemma in rules.office_verbs:  # "who holds this year's rotating chairmanship of ASEAN"
            for office in (c for c in verb.children if c.dep_ == "dobj" and c.lemma_.lower() in rules.office_nouns):
                role = rules.office_nouns[office.lemma_.lower()]
                held = {t.i for t in office.subtree} - {t.i for t in office.lefts for t in t.subtree}
                out += [Relation(person, "holds_role", e, "role:office", office.text, sent, role=role, confidence=0.7)
                        for e in ents if e.label_ in (COUNTRY, ORG) and e.start in held][:1]
            continue
        for child in verb.children:
            comp = child if child.dep_ in ("attr", "oprd") else next(
                (c for c in child.children if c.dep_ == "pobj"), None) if (
                child.dep_ == "prep" and child.lower_ == "as") else None
            if comp is None:
                continue
            if comp.lower_ not in rules.role_heads and not any(t.lower_ in rules.role_heads for t in comp.lefts):
                continue  # the complement's head (or a word before it) is the title: not "a critic of the minister"
            phrase = _own_phrase(list(comp.subtree), person, ents, rules)
            out += _role_from_words(person, phrase, ents, sent, rules, focus, "role:predicate", index)
    return out


def _own_phrase(phrase: list[Token], person: Span, ents: list[Span], rules: Rules) -> list[Token]:
    """An apposition's words up to another person named in it, without the titles that person's own name carries:
    "Hikmet Hajiyev, a foreign policy aide to President Ilham Aliyev" gives Hajiyev "a foreign policy aide to";
    "Director Sandra Oudkirk, Minister of National Defense Chiu Kuo-cheng" gives Oudkirk nothing."""
    other = next((e for e in ents if e.label_ == PERSON and e != person and phrase
                  and phrase[0].i <= e.start <= phrase[-1].i), None)
    if other is None:
        return phrase
    own = [t for t in phrase if t.i < other.start]
    k = _before_prefixes(other.doc[:], other.start - 1, rules)
    while own and own[-1].i <= k and (own[-1].lower_ in rules.titles or own[-1].ent_type_ in (COUNTRY, ORG)):
        own.pop()
        k -= 1
    return [t for t in own if t.i <= k]


def _before_prefixes(sent: Span, i: int, rules: Rules) -> int:
    """The token before the ranks and honorifics that end at token `i` ("Air Chief Marshal", "Maj Gen", "Sir")."""
    longest = max((len(p.split()) for p in rules.name_prefixes), default=0)
    while True:
        for n in range(min(longest, i - sent.start + 1), 0, -1):
            if " ".join(t.lower_ for t in sent.doc[i - n + 1 : i + 1]) in rules.name_prefixes:
                i -= n
                break
        else:
            return i


def _armed_force_of(title: list[Token], ents: list[Span], doc, rules: Rules, index, focus: Span | None
                    ) -> list[Span]:
    """The armed force a military title with no organisation is for: the one the sentence names ("military
    spokesman X" beside "the Egyptian Armed Forces"), else, for a title naming a service ("Chief of the Air
    Staff"), the one armed force of the document with that service in its name; else none."""
    forces = [e for e in ents if e.label_ == ORG and is_armed_force(e, rules)]
    if len({e.kb_id_ for e in forces}) == 1:
        return forces[:1]
    services = {t.lower_ for t in title} & rules.military_services
    if forces or not services:
        return []
    orgs = _labelled(doc, index, ORG)
    # an armed force's service: the last service word of its name ("People's Liberation Army Air Force": air)
    service = lambda e: next((t.lower_ for t in reversed(e) if t.lower_ in rules.military_services), None)  # noqa
    named = {e.kb_id_: e for e in orgs if is_armed_force(e, rules) and service(e) in services}
    if len(named) > 1 and focus is not None:  # the lead country's ("the Nigerian Air Force", not the US one)
        named = {k: e for k, e in named.items() if rules.org_countries.get(k) == focus.kb_id_}
    return list(named.values()) if len(named) == 1 else []


def _possessor(tok: Token, rules: Rules, context: dict) -> Span | None:
    """What a possessive pronoun before a title stands for: "its" -> the organisation or country named last as a
    subject."""
    kind = rules.role_possessives.get(tok.lower_)
    owner = context.get(kind) if kind else None
    return owner if owner is not None and owner.label_ in (COUNTRY, ORG) else None


def _title_phrase_tokens(words: list[Token], rules: Rules) -> set[int]:
    """The tokens of `words` inside a title phrase ("Secretary of State"), whatever the model tagged them."""
    low = [t.lower_ for t in words]
    out: set[int] = set()
    for phrase in rules.title_phrases:
        n = len(phrase)
        for k in range(len(low) - n + 1):
            if tuple(low[k : k + n]) == phrase and words[k + n - 1].i - words[k].i == n - 1:
                out.update(t.i for t in words[k : k + n])
    return out


def _role_from_words(person, words, ents, sent, rules: Rules, focus, rule, index: EntityIndex | None = None,
                     owner: Span | None = None) -> list[Relation]:
    in_phrase = _title_phrase_tokens(words, rules)
    title = [t for t in words if t.i in in_phrase or (
        (t.lower_ in rules.titles or t.text == "-") and t.ent_type_ not in (COUNTRY, ORG, PERSON))]
    if not any(t.lower_ in rules.role_heads for t in title):
        return []
    while title and title[0].lower_ in ("of", "the", "-"):
        title = title[1:]
    while title and title[-1].lower_ in ("of", "the", "-"):
        title = title[:-1]
    role = "".join(t.text + (t.whitespace_ if k + 1 < len(title) and title[k + 1].i == t.i + 1 else " ")
                   for k, t in enumerate(title)).strip()
    idx = {t.i for t in words}
    orgs = [e for e in ents if e.label_ in (COUNTRY, ORG) and e.start in idx and e.start not in in_phrase]
    # "a spokesman for Indonesia's Foreign Ministry", "a director at the US National Security Council": the
    # organisation, not the country that owns it
    orgs = [e for e in orgs if not ((e.label_ == COUNTRY or e.root.dep_ == "poss") and any(
        o.label_ == ORG and o is not e and o.start <= e.root.head.i < o.end for o in orgs))]
    conf = 0.9
    if not orgs and owner is not None:  # "its Executive Director Cindy McCain"
        orgs, conf = [owner], 0.6
    if not orgs:
        if any(t.lower_ in ("firm", "company", "group", "manufacturer", "maker") for t in words):
            if index is not None:  # the last organisation ending before the person
                org_ents, _, org_ends = index.labelled(ORG)
                k = bisect_right(org_ends, person.start)
                orgs = org_ents[k - 1 : k]
            else:
                orgs = [e for e in sent.doc.ents if e.label_ == ORG and e.end <= person.start][-1:]
            conf = 0.6
        elif any(t.lower_ in rules.military_titles for t in title) and (
                forces := _armed_force_of(title, ents, sent.doc, rules, index, focus)):
            orgs, conf, rule = forces, 0.6, "role:armed-force"
        elif any(t.lower_ in rules.government_titles or t.lower_ in rules.military_titles for t in title):
            # "Defence Minister Viola Amherd said": the phrase names no country; `settle_role_countries` picks it
            # once the whole document is read (the person's role elsewhere, else the article's lead country)
            return [Relation(person, "holds_role", person, IMPLICIT_ROLE, role, sent, role=role, confidence=0.5)]
    return [Relation(person, "holds_role", o, rule, role, sent, role=role, confidence=conf) for o in orgs[:1]]


IMPLICIT_ROLE = "role:implicit-country"
NATIONALITY = "role:nationality"  # "Pakistan's Imran Khan": the person's country, no relation of its own
# An implicit title whose country the document does not settle: kept with the person as its object, for the
# corpus pass (`records.settle_corpus_roles`) to give it the country the same person's own phrases give in other
# documents, else dropped
UNSETTLED = "role:unsettled"
# The rules of a country the document's context gave (not the person's own phrase): the corpus pass prefers the
# country the same person's own phrases give in other documents
CONTEXT_ROLE_RULES = ("role:lead-country", "role:sentence-country", "role:context-country", UNSETTLED)
STATED_ROLE_RULES = ("role:premodifier", "role:apposition")


def settle_role_countries(found: list[Relation], focus: Span | None) -> list[Relation]:
    """The country of a government title the phrase leaves implicit ("President Javier Milei"), in this order: the
    same person's role for a country elsewhere in the document ("Argentine President Javier Milei"), then the
    article's lead country (`focus_country`); never a country the person visits or meets, nor the country of the
    other party of a meeting or of a counterpart named in the same sentence. With none left, the person itself
    stands as the object (`UNSETTLED`), for the corpus pass to settle from the person's phrases in other documents
    (`records.settle_corpus_roles`) or drop."""
    stated: dict[str, Span] = {}  # person -> the country a phrase of its own gives
    for r in found:
        if r.predicate == "holds_role" and r.rule != IMPLICIT_ROLE and r.object.label_ == COUNTRY \
                and r.rule != "role:counterpart":
            stated.setdefault(r.subject.kb_id_, r.object)
    found = [r for r in found if r.rule != NATIONALITY]
    implicit = {r.subject.kb_id_ for r in found if r.rule == IMPLICIT_ROLE}
    visitors = {r.subject.kb_id_ for r in found if r.predicate == "visits" and not r.negated}
    avoid: dict[str, set[str]] = {}
    for r in found:
        if r.predicate == "visits" and not r.negated:
            avoid.setdefault(r.subject.kb_id_, set()).add(r.object.kb_id_)
        elif r.predicate == "meets":
            for a, b in ((r.subject, r.object), (r.object, r.subject)):
                # the other party's country: its own phrase's, else, for a visitor met by one who is no visitor,
                # the lead country its implicit title will take (the host is the other country's)
                guest = b.kb_id_ in implicit and b.kb_id_ in visitors and a.kb_id_ not in visitors
                other = (stated.get(b.kb_id_) or (focus if guest else None)) if b.label_ == PERSON else b
                if other is not None:
                    avoid.setdefault(a.kb_id_, set()).add(other.kb_id_)
    counterpart_countries = {(r.sentence.start, r.object.kb_id_) for r in found
                             if r.rule == "role:counterpart" and r.object.label_ == COUNTRY}
    out = []
    for r in found:
        if r.rule != IMPLICIT_ROLE:
            out.append(r)
            continue
        person = r.subject.kb_id_
        allowed = lambda c: c.kb_id_ not in avoid.get(person, ()) \
            and (r.sentence.start, c.kb_id_) not in counterpart_countries  # noqa: E731
        # "Turkey has become …, and President Recep Tayyip Erdogan has made …": the one country the sentence
        # is about (a clause's subject; not a modifier such as "Chinese-made")
        countries = {e.kb_id_ for e in r.sentence.ents if e.label_ == COUNTRY}
        actors = {e.kb_id_: e for e in r.sentence.ents if e.label_ == COUNTRY and is_subject(e)}
        if person in stated:
            out.append(replace(r, object=stated[person], rule="role:same-person", confidence=0.6))
        elif len(actors) == 1 and allowed(next(iter(actors.values()))):
            out.append(replace(r, object=next(iter(actors.values())), rule="role:sentence-country"))
        elif not actors and (near := _context_country(r.sentence, stated)) is not None and allowed(near):
            # "France's ministry confirmed the order. Armed Forces Minister Florence Parly welcomed …": the one
            # country the paragraph's sentences just before are about
            out.append(replace(r, object=near, rule="role:context-country"))
        elif focus is not None and allowed(focus) and (focus.kb_id_ in countries or not actors):
            out.append(replace(r, object=focus, rule="role:lead-country"))
        else:
            out.append(replace(r, object=r.subject, rule=UNSETTLED, confidence=0.4))
    return out


def _actors(sent: Span, stated: dict[str, Span], persons_only: bool = False) -> dict[str, Span]:
    """The countries a sentence is about: a country that is a clause's subject or inside its subject's phrase
    ("France's ministry", "British officials"), or the own country of a person who is ("Kim's delegation")."""
    out: dict[str, Span] = {}
    for e in sent.ents:
        root = e.root
        in_subject = is_subject(e) or (root.dep_ in ("poss", "amod", "compound", "nmod")
                                       and root.head.dep_ in ("nsubj", "nsubjpass"))
        if not in_subject:
            continue
        if e.label_ == COUNTRY and not persons_only:
            out.setdefault(e.kb_id_, e)
        elif e.label_ == PERSON and e.kb_id_ in stated:
            out.setdefault(stated[e.kb_id_].kb_id_, stated[e.kb_id_])
    return out


def _context_country(sent: Span, stated: dict[str, Span], back: int = 2) -> Span | None:
    """For a sentence that names no country: the one country its own subject or, else, one of the `back`
    sentences before it in the same paragraph is about (`_actors`); none when that is not one country."""
    doc = sent.doc
    for k in range(back + 1):
        # (in the sentence itself, only a person's country: its countries were no clause subject, and one inside a
        # subordinate clause's subject is no actor of the title: "an aide to President Ilham Aliyev said that
        # France's policy …")
        actors = _actors(sent, stated, persons_only=k == 0)
        if actors:
            return next(iter(actors.values())) if len(actors) == 1 else None
        if sent.start == 0 or "\n" in doc.text[doc[sent.start - 1].idx : sent.start_char]:
            return None
        sent = doc[sent.start - 1].sent
    return None


def _labelled(doc: Doc, index: EntityIndex | None, label: str) -> list[Span]:
    """The document's entities of one label, from the index when there is one."""
    return list(index.labelled(label)[0]) if index is not None else [e for e in doc.ents if e.label_ == label]


def focus_country(doc: Doc, index: EntityIndex | None = None, rules: Rules | None = None) -> Span | None:
    """The country an article is about: its most mentioned country (first mention kept as the span)."""
    countries = _labelled(doc, index, COUNTRY)
    if not countries:
        return None
    counts = Counter(e.kb_id_ for e in countries)
    # the lead names the protagonist: the first country, when it is among the two most mentioned
    top2 = [k for k, _ in counts.most_common(2)]
    first = countries[0]
    if first.kb_id_ not in top2 or counts[first.kb_id_] < 2:
        return None
    other = next((k for k in top2 if k != first.kb_id_), None)
    if other is not None and counts[other] >= counts[first.kb_id_] and rules is not None and rules.org_countries:
        # as often named, and its state bodies more often ("the Pakistan Air Force", "PAF" against a
        # "Chinese-made" jet): the other one
        orgs = _labelled(doc, index, ORG)
        bodies = Counter(rules.org_countries.get(e.kb_id_) for e in orgs)
        if bodies[other] > bodies[first.kb_id_]:
            return next(e for e in countries if e.kb_id_ == other)
    return first
