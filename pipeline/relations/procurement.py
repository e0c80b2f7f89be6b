"""Procurement details of a relation statement: how many, for how much, and from whom.

Used by the trigger rules (`triggers`) for procures / considers_procuring rows:

- quantity: a number modifying the weapon system's own noun phrase ("ordered 24 Bayraktar TB2 drones", "a contract
  for 48 FA-50 light combat aircraft", "the purchase of 24 TB2 by Poland"); the number must come before the system
  with no other system in between ("180 K2 tanks and 212 K9 howitzers" gives each its own);
- value: a sum of money attached to the statement's clause ("a $4.5 billion deal for 36 Rafale jets", "a contract
  worth about $370m to buy", "bought them for 4 billion euros"), kept as written without approximators ("about",
  "nearly", "up to"): spaCy's MONEY entity, completed by a currency word the model left out ("4 billion" + "euros"),
  or a currency sign, a number and a scale word read off the tokens when the model missed it;
- suppliers: the seller of a sale: "from X", the subject of a selling verb or noun ("Türkiye sold …", "the US
  approved the sale of …"), or the "with" party of a contract ("a contract for 30 Rafale jets with Dassault").
Pure functions over the parse: no I/O, and nothing here imports the rest of `pipeline.relations`.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # type hints only: the corpus passes import this package without spaCy
    from spacy.tokens import Span, Token

from ..labels import COUNTRY, ORG, WEAPON_SYSTEM

NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
NUMBER_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
                     "ninety": 90, "dozen": 12, "hundred": 100})
CURRENCY_WORDS = frozenset("dollar dollars euro euros pound pounds sterling franc francs won yen yuan rupee rupees "
                           "rupiah ringgit zloty zlotys krona kronor krone kroner lira liras riyal riyals dirham "
                           "dirhams shekel shekels ruble rubles rouble roubles peso pesos baht dinar dinars "
                           "usd eur gbp chf".split())
CURRENCY_SIGNS = frozenset("$ € £ ¥ ₩ ₹ ₺ US$ A$ C$ NZ$ HK$ S$ R$".split())
SCALE_WORDS = frozenset("thousand million billion trillion m bn mn b k tn".split())
APPROXIMATORS = frozenset("about around roughly approximately some nearly almost over under up to more than less "
                          "an estimated a total of at least".split())
# Nouns of an agreement whose "with" party is the other side of the sale.
CONTRACT_HEADS = frozenset({"contract", "deal", "agreement", "order", "accord"})


def parse_int(text: str) -> int | None:
    """ "24" -> 24, "1,000" -> 1000, "six" -> 6, "two dozen" -> 24, "a dozen" -> 12; None for anything else."""
    words = text.lower().replace("-", " ").split()
    if not words:
        return None
    if len(words) == 1 and re.fullmatch(r"\d{1,3}(,\d{3})+|\d+", words[0]):
        return int(words[0].replace(",", ""))
    total = None
    for w in words:
        if w in ("a", "an") and total is None:
            total = 1
        elif w in ("dozen", "hundred") and total is not None:
            total *= NUMBER_WORDS[w]
        elif w in NUMBER_WORDS and w not in ("dozen", "hundred") and total is None:
            total = NUMBER_WORDS[w]
        elif w.isdigit() and total is None:
            total = int(w)
        else:
            return None
    return total


def quantity_of(weapon: Span, anchor: Token | None, ents: Iterable[Span], index=None) -> int | None:
    """How many of the system the statement speaks of: a number on its own noun phrase, before it. `index` (the
    document's entities read once: `relation.EntityIndex`) spares a scan of all the document's entities."""
    heads = noun_phrase_heads(weapon)
    if anchor is not None and anchor not in heads:
        heads.append(anchor)
    others = [e for e in ents if e.label_ == WEAPON_SYSTEM and e.kb_id_ != weapon.kb_id_]
    for head in heads:
        for c in head.children:
            if c.dep_ not in ("nummod", "compound") or not c.like_num or c.i >= weapon.start:
                continue
            if c.dep_ == "compound" and c.ent_type_ != "CARDINAL":  # "32 F-35A jets": the designation as a number
                continue
            if c.ent_type_ in ("ORDINAL", "DATE", "MONEY", "PERCENT") or any(
                    c.i < e.start and e.end <= weapon.start for e in others):
                continue
            n = parse_int(_number_text(c, index))
            if n is not None and 0 < n < 100_000:
                return n
    return None


def noun_phrase_heads(weapon: Span) -> list[Token]:
    """The words the system's phrase is built on, from its root up to the head noun: "K9 Thunder self-propelled
    howitzers" -> Thunder, howitzers (never across a coordination: the next conjunct is another phrase)."""
    t, heads = weapon.root, [weapon.root]
    for _ in range(4):
        if t.dep_ not in ("compound", "nmod", "amod", "appos", "nummod", "dep") or t.head == t or \
                t.head.pos_ not in ("NOUN", "PROPN", "NUM"):
            break
        t = t.head
        heads.append(t)
    return heads


def _number_text(tok: Token, index=None) -> str:
    """The whole number a token belongs to: its CARDINAL entity ("two dozen", "1,000"), less approximators."""
    if index is not None:  # entities never overlap: the one containing the token, if it is a number
        ent = index.containing(tok.i)
        ent = ent if ent is not None and ent.label_ == "CARDINAL" else None
    else:
        ent = next((e for e in tok.doc.ents if e.label_ == "CARDINAL" and e.start <= tok.i < e.end), None)
    if ent is None:
        return tok.text
    words = [t.text for t in ent]
    while words and words[0].lower() in APPROXIMATORS:
        words = words[1:]
    return " ".join(words)


def money_spans(sent: Span, ents: Iterable[Span] | None = None) -> list[Span]:
    """The sums of money a sentence states, as written: MONEY entities (completed by a trailing currency word),
    else a currency sign + number (+ scale) or number (+ scale) + currency word found in the tokens. `ents`: the
    sentence's entities when already at hand (`sent.ents` scans the whole document's)."""
    doc = sent.doc
    spans = []
    for e in (sent.ents if ents is None else ents):
        if e.label_ == "MONEY":
            start, end = e.start, e.end
            if start > sent.start and doc[start - 1].text in CURRENCY_SIGNS:  # "$" left out: "a $375m contract"
                start -= 1
            while end < sent.end and (doc[end].lower_ in CURRENCY_WORDS or doc[end].lower_ in SCALE_WORDS) and \
                    not any(t.lower_ in CURRENCY_WORDS for t in doc[e.start:end]):
                end += 1
            spans.append(doc[start:end])
    taken = {i for s in spans for i in range(s.start, s.end)}
    i = sent.start
    while i < sent.end:
        t = doc[i]
        if i in taken:
            i += 1
            continue
        if t.text in CURRENCY_SIGNS and i + 1 < sent.end and doc[i + 1].like_num:
            end = i + 2
            while end < sent.end and doc[end].lower_ in SCALE_WORDS:
                end += 1
            spans.append(doc[i:end])
            i = end
            continue
        if t.like_num and not t.ent_type_ == "DATE":
            end = i + 1
            while end < sent.end and doc[end].lower_ in SCALE_WORDS:
                end += 1
            if end < sent.end and doc[end].lower_ in CURRENCY_WORDS and end > i + 1:
                spans.append(doc[i:end + 1])
                i = end + 1
                continue
        i += 1
    return spans


def money_text(span: Span) -> str:
    """The sum as written, without the approximating words in front ("about $370m" -> "$370m")."""
    toks = list(span)
    while toks and toks[0].lower_ in APPROXIMATORS:
        toks = toks[1:]
    if not toks:
        return span.text
    return span.doc[toks[0].i : toks[-1].i + 1].text


COST_VERBS = frozenset({"cost", "total", "amount", "value", "reach"})
WORTH_WORDS = frozenset({"worth", "valued", "priced"})


def value_of(spine: set[Token], sent: Span, spans: list[Span] | None = None) -> str | None:
    """The sum stated for the statement: a money phrase whose head, climbed through noun phrases and the words
    "worth"/"for"/"at"/"of", reaches a word of the statement's spine (trigger, its clause heads, the words leading
    to the object) before any other verb, or a verb of cost whose subject is on the spine ("the acquisition will
    cost $4.75 billion"). `spans`: the sentence's `money_spans`, when already computed."""
    for span in (money_spans(sent) if spans is None else spans):
        t, worth = span.root, False
        for _ in range(7):
            worth = worth or t.lower_ in WORTH_WORDS
            if t in spine or ((t.lemma_.lower() in COST_VERBS or worth) and any(
                    c.dep_ in ("nsubj", "nsubjpass") and c in spine for c in t.children)):
                return money_text(span)
            if t.head == t or (t.pos_ in ("VERB", "AUX") and t != span.root):
                break
            t = t.head
    return None


def pick_supplier(candidates: list[Span], anchors: dict, not_ids: set[str]) -> Span | None:
    """One seller: the entity heading its phrase ("Turkish company Baykar" -> Baykar), first in the text."""
    cands = [e for e in candidates if e.kb_id_ not in not_ids and e.label_ in (COUNTRY, ORG)]
    if not cands:
        return None
    heads = [e for e in cands if anchors.get(e) is not None and anchors[e].i in range(e.start, e.end)]
    return sorted(heads or cands, key=lambda e: e.start)[0]


def with_parties(tokens: Iterable[Token], ents: list[Span], anchors: dict, companions: frozenset[str]) -> list[Span]:
    """Entities in a "with" phrase on any of `tokens`; not one under a companion word ("together with", "along
    with": `Rules.companion_words`), which adds a subject."""
    out = []
    for tok in tokens:
        for prep in tok.children:
            if prep.dep_ != "prep" or prep.lower_ != "with" or any(
                    c.lower_ in companions for c in prep.children):
                continue
            pobj = [c for c in prep.children if c.dep_ == "pobj"]
            out += [e for e in ents if pobj and anchors.get(e) == pobj[0]]
    return out


def to_parties(tokens: Iterable[Token], ents: list[Span], anchors: dict, prep_word: str = "to") -> list[Span]:
    """Entities in a "to" phrase on any of `tokens`: the receivers of a sale or delivery (with prep_word="from":
    the sellers, "212 K9 howitzers from South Korea")."""
    out = []
    for tok in tokens:
        for prep in tok.children:
            if prep.dep_ in ("prep", "dative") and prep.lower_ == prep_word:
                pobj = [c for c in prep.children if c.dep_ == "pobj"]
                out += [e for e in ents if pobj and anchors.get(e) == pobj[0]]
    return out


ANAPHOR_WINDOW = 300  # tokens before the trigger in which the system a class noun refers to must be named
DEFINITE = frozenset({"the", "this", "these", "those"})


def class_anaphor(trigger: Token, class_nouns: dict, weapon_classes: dict, index=None) -> list[Span]:
    """The system a definite class noun stands for when the statement names none: "Ukraine and Qatar also operate
    the aircraft" after the TB2 (a uav) was named. Only when exactly one system of a fitting class (registry class
    listed for the noun in rules.yaml class_nouns) was named in the preceding text window; else none. `index` (the
    document's entities read once: `relation.EntityIndex`) finds the window by bisection instead of a scan."""
    for c in _class_noun_slots(trigger):
        found = class_referent(c, class_nouns, weapon_classes, index)
        if found is not None:
            return found
    return []


def _class_noun_slots(trigger: Token) -> list[Token]:
    """Where a procurement names what it is of: its object or passive subject, a "for" object ("signed contracts for
    the aircraft"), each also through a number of them ("ordered 32 of the jets", "signed for 64 of the jets")."""
    slots = [c for c in trigger.children if c.dep_ in ("dobj", "nsubjpass")]
    slots += [g for c in trigger.children if c.dep_ == "prep" and c.lower_ == "for" for g in c.children
              if g.dep_ == "pobj"]
    out = []
    for t in slots:
        if t.like_num or t.pos_ == "NUM":  # "32 of the jets": the jets
            t = next((g for c in t.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children
                      if g.dep_ == "pobj"), None)
        if t is not None:
            out.append(t)
    return out


def class_referent(noun: Token, class_nouns: dict, weapon_classes: dict, index=None) -> list[Span] | None:
    """The system a definite class noun ("the aircraft", "the helicopters, built by Boeing") stands for: the one
    system of a fitting class named in the window before it (`class_anaphor`); [] when none or two fit, None when
    the word is no definite class noun."""
    classes = class_nouns.get(noun.lemma_.lower())
    if not classes or not any(d.lower_ in DEFINITE for d in noun.children):
        return None
    if any(t.ent_type_ for t in noun.subtree if t.i <= noun.i):
        return []
    doc, at = noun.doc, noun.i
    if index is not None:  # systems are sorted and never overlap: from the window's start to the noun
        weapons, starts, ends = index.labelled(WEAPON_SYSTEM)
        before, k = [], bisect_left(starts, at - ANAPHOR_WINDOW)
        while k < len(weapons) and ends[k] <= at:
            if weapon_classes.get(weapons[k].kb_id_) in classes:
                before.append(weapons[k])
            k += 1
    else:
        before = [e for e in doc.ents if e.label_ == WEAPON_SYSTEM and at - ANAPHOR_WINDOW <= e.start
                  and e.end <= at and weapon_classes.get(e.kb_id_) in classes]
    return [before[-1]] if len({e.kb_id_ for e in before}) == 1 else []


def sellers_named(spine: set[Token], objs: list[Span], ents: list[Span], anchors: dict,
                  companions: frozenset[str]) -> list[Span]:
    """Sellers a procurement names beside its own "from" argument: "from X" on the systems' phrases ("180 K2 tanks
    and 212 K9 howitzers from South Korea") and the "with" party of a contract ("a contract for 30 Rafale jets with
    Dassault", "signed a deal with Seoul for K2 tanks")."""
    phrases = [t for o in objs for t in noun_phrase_heads(o)]
    phrases += [c for t in phrases for c in t.children if c.dep_ == "conj"]
    found = to_parties(phrases, ents, anchors, "from")
    words = spine | {c for t in spine for c in t.children if c.dep_ in ("dobj", "nsubjpass")}
    if any(t.lemma_.lower() in CONTRACT_HEADS for t in words):
        found += with_parties(spine | set(phrases), ents, anchors, companions)
    return found
