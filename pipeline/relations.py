"""The relations stage: typed relations between resolved entities, read off the dependency parse.

Pure core: `extract_relations(doc, rules)` takes an annotated Doc (entities resolved by the pipeline) and returns
`Relation` records; the trigger lexicons, argument roles and cue words come from `models/relations/rules.yaml`
(`load_rules`). Three rule families:

- trigger rules: a trigger word (verb or noun) and the entities attached to it (subject side: nsubj, agent,
  possessive, inherited through xcomp/conj; object side: dobj, passive subject, "of/for/to" objects, reached through
  bridge nouns such as "contract" or "drones");
- role rules: titles before a person ("Turkish Defence Minister Yasar Guler") or in apposition
  ("Haluk Bayraktar, Baykar's chief executive") give holds_role;
- maker rules: a company's possessive or "X-made/X-built" on a weapon system ("Baykar’s Bayraktar TB2") gives
  manufactures.
Negation and hedges become columns, never dropped rows. Procurement statements also carry their details (quantity,
value, supplier: `relations_procurement`), and every trigger statement the day it gives ("met on Monday", resolved
against the article's publication date passed as `published`: `relations_dates`). Selling words ("Türkiye sold X to
Ukraine", "the sale of F-16s to Türkiye", "deliveries of X to Kuwait") make the receiver the subject of procures and
the seller its supplier, never a buyer. Nothing here reads files except `load_rules`.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import pyarrow as pa
import pyarrow.compute as pc
import yaml

if TYPE_CHECKING:  # Docs come from the annotate stage; the cached path never imports spaCy
    from spacy.tokens import Doc, Span, Token

from . import relations_dates as dates
from . import relations_procurement as procurement
from .labels import (
    ARGUMENT_LABELS, COUNTRY, ENTITY_LABELS, LOCATION, ORG, PERSON, SYMMETRIC_PREDICATES, WEAPON_CLASS_NOUNS,
    WEAPON_SYSTEM,
)

SUBJ, OBJ, OTHER, SUPPLIER, BETWEEN = "subj", "obj", "other", "supplier", "between"
# Dependencies that attach a word to the noun phrase it belongs to: climbing them finds the phrase's head.
NP_DEPS = frozenset({"compound", "amod", "nmod", "nummod", "quantmod", "appos", "conj", "cc", "det", "npadvmod",
                     "preconj", "dep"})  # (designations such as "F-35" are often parsed as numbers: "20 F-35 jets")
PRONOUNS = {"he": PERSON, "she": PERSON, "it": "THING", "they": "THING"}
POSSESSIVE_PRONOUNS = {"his": PERSON, "her": PERSON}
PRONOUN_KIND = {PERSON: PERSON, COUNTRY: "THING", ORG: "THING", WEAPON_SYSTEM: WEAPON_SYSTEM}
COMPANY = "COMPANY"  # context key: the last company named ("the company", "the firm" refer to it)
REFERRING_DETS = frozenset({"the", "this"})
CLAUSE_LINKS = frozenset({"xcomp", "conj", "advcl", "ccomp", "pcomp", "acomp", "acl", "relcl"})
# Verbs whose passive subject is the logical subject of their complement: "X is expected to visit".
RAISING = frozenset({"expect", "set", "schedule", "due", "plan", "likely", "slate", "poise"})
JOINT_ADVERBS = frozenset({"jointly", "together"})
MAKER_SUFFIXES = ("made", "built", "produced", "developed", "designed", "manufactured")


@dataclass(frozen=True)
class Rules:
    triggers: dict[str, dict[str, str | None]]  # lemma -> {predicate: status}
    supplier: frozenset[str]
    offer: frozenset[str]
    intent: frozenset[str]
    bridge: frozenset[str]
    subject_bridge: frozenset[str]
    light_verbs: frozenset[str]
    object_preps: dict[str, frozenset[str]]
    subject_preps: frozenset[str]
    negation_words: frozenset[str]
    negation_lemmas: frozenset[str]
    hedge_words: frozenset[str]
    titles: frozenset[str]
    role_heads: frozenset[str]
    government_titles: frozenset[str]
    handover: frozenset[str] = frozenset()  # "deliveries of X to Kuwait": with a "to" receiver, a sale
    seller_verbs: frozenset[str] = frozenset()  # "the US approved the sale of X to Y": the subject sells
    org_kinds: dict[str, str] = field(default_factory=dict)  # ORG entity id -> registry kind (company, ministry…)
    class_nouns: dict[str, frozenset[str]] = field(default_factory=dict)  # "aircraft" -> {fighter, uav, …}
    weapon_classes: dict[str, str] = field(default_factory=dict)  # WEAPON_SYSTEM entity id -> registry class
    counterparts: frozenset[str] = frozenset()  # "his Israeli counterpart Yoav Gallant": the other one's role
    company_nouns: frozenset[str] = frozenset()  # "the company makes the F-35": the company named last
    member_nouns: frozenset[str] = frozenset()  # "built by a consortium of A and B": its members act
    in_service_verbs: frozenset[str] = frozenset()  # "to replace its ageing Tornado fleet": it operates them


@lru_cache(maxsize=8)
def load_rules(path: str | Path) -> Rules:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    _check_words(data, path)
    triggers: dict[str, dict[str, str | None]] = {}
    for pred, spec in data["triggers"].items():
        lemmas = spec["lemmas"]
        items = lemmas.items() if isinstance(lemmas, dict) else ((lem, spec.get("status")) for lem in lemmas)
        for lemma, status in items:
            triggers.setdefault(lemma, {})[pred] = status
    fs = lambda key: frozenset(data.get(key) or ())  # noqa: E731
    class_nouns = {noun: frozenset(classes) for noun, classes in (data.get("class_nouns") or {}).items()}
    counterparts = fs("counterpart_nouns")  # titles that are also role heads ("his Israeli counterpart X")
    default = frozenset(data["object_preps"]["default"])
    preps = {k: frozenset(v) | default for k, v in data["object_preps"].items()}
    return Rules(
        triggers, fs("supplier_lemmas"), fs("offer_lemmas"), fs("intent_lemmas"), fs("bridge_nouns"), fs("subject_bridge_nouns"), fs("light_verbs"), preps,
        fs("subject_preps"), frozenset(data["negation"]["words"]), frozenset(data["negation"]["lemmas"]),
        frozenset(data["hedging"]["words"]), fs("titles") | counterparts, fs("role_heads") | counterparts,
        fs("government_titles"), fs("handover_nouns"), fs("seller_verbs"), class_nouns=class_nouns,
        counterparts=counterparts, company_nouns=fs("company_nouns"),
        member_nouns=fs("member_nouns"), in_service_verbs=fs("in_service_verbs"),
    )


def _check_words(node, path, where="") -> None:
    """Every lexicon entry must be a string: YAML reads a bare on/off/yes/no as a boolean."""
    if isinstance(node, dict):
        for k, v in node.items():
            _check_words(v, path, f"{where}.{k}")
    elif isinstance(node, list):
        for v in node:
            if not isinstance(v, str):
                raise ValueError(f"{path}: {where.lstrip('.')}: {v!r} is not a word (quote it: YAML reads on/no/yes "
                                 "as booleans)")


@dataclass(frozen=True)
class Relation:
    subject: Span
    predicate: str
    object: Span
    rule: str
    trigger: str
    sentence: Span
    negated: bool = False
    negation_cue: str | None = None
    hedged: bool = False
    status: str | None = None
    role: str | None = None
    confidence: float = 0.7
    quantity: int | None = None  # procures / considers_procuring: how many ("ordered 24 TB2 drones")
    value: str | None = None  # procures / considers_procuring: the sum as written ("$4.5 billion")
    supplier: Span | None = None  # procures / considers_procuring: the seller ("from Baykar", "Türkiye sold")
    date: dt.date | None = None  # the day the statement gives ("met on Monday"), resolved (relations_dates)


def with_registry(rules: Rules, registry) -> Rules:
    """The rules plus what the gazetteers know of organisations (which ones are companies) and of weapon systems
    (their class: a drone, a fighter, a tank)."""
    kinds = {f"{ORG}:{o.id}": o.kind or "" for o in registry.organisations.values()}
    classes = {f"{WEAPON_SYSTEM}:{w.id}": w.weapon_class for w in registry.weapons.values() if w.weapon_class}
    return replace(rules, org_kinds=kinds, weapon_classes=classes)


class EntityIndex:
    """A document's entities, read once. spaCy rebuilds the whole entity list on every `doc.ents` (and `span.ents`
    scans it), so asking per sentence or per trigger makes extraction quadratic in document length; this keeps the
    list, its start/end offsets and per-label sublists for bisection, and caches what is computed per sentence
    (its entities, date and money phrases). Entities in `doc.ents` are sorted and never overlap."""

    def __init__(self, doc: Doc):
        self.doc = doc
        self.ents = tuple(doc.ents)
        self.starts = [e.start for e in self.ents]
        self.ends = [e.end for e in self.ents]
        self._labels: dict[str, tuple[list[Span], list[int], list[int]]] = {}
        self._sent_key: tuple[int, int] | None = None
        self._sent_cache: dict[str, object] = {}

    def within(self, span: Span) -> list[Span]:
        """The entities that fall completely within `span`: what `span.ents` gives, in the same order."""
        out, ents, end = [], self.ents, span.end
        i = bisect_left(self.starts, span.start)
        while i < len(ents) and self.ends[i] <= end:
            out.append(ents[i])
            i += 1
        return out

    def labelled(self, label: str) -> tuple[list[Span], list[int], list[int]]:
        """The entities of one label, in document order, with their start and end token offsets."""
        if label not in self._labels:
            spans = [e for e in self.ents if e.label_ == label]
            self._labels[label] = (spans, [e.start for e in spans], [e.end for e in spans])
        return self._labels[label]

    def containing(self, i: int) -> Span | None:
        """The entity token `i` belongs to, if any."""
        k = bisect_right(self.starts, i) - 1
        return self.ents[k] if k >= 0 and self.ends[k] > i else None

    def per_sentence(self, sent: Span, key: str, compute):
        """`compute(sent)`, once per sentence (only the current sentence's values are kept)."""
        where = (sent.start, sent.end)
        if where != self._sent_key:
            self._sent_key, self._sent_cache = where, {}
        if key not in self._sent_cache:
            self._sent_cache[key] = compute(sent)
        return self._sent_cache[key]

    def sentence_ents(self, sent: Span) -> list[Span]:
        return self.per_sentence(sent, "ents", self.within)

    def date_spans(self, sent: Span) -> list[Span]:
        return self.per_sentence(sent, "dates", lambda s: dates.date_spans(s, self.sentence_ents(s)))

    def money_spans(self, sent: Span) -> list[Span]:
        return self.per_sentence(sent, "money", lambda s: procurement.money_spans(s, self.sentence_ents(s)))


def extract_relations(doc: Doc, rules: Rules, published=None) -> list[Relation]:
    """Every relation the document states, one record per (subject, predicate, object, sentence).
    `published` (the article's date: a date or an ISO string) places dates without a year and day names."""
    index = EntityIndex(doc)
    focus = _focus_country(doc, index)
    found: list[Relation] = []
    context: dict[str, Span] = {}  # the last entity that was a subject, per pronoun kind
    triggers = rules.triggers
    for sent in doc.sents:
        ents = [e for e in index.sentence_ents(sent) if e.label_ in ENTITY_LABELS]
        anchors = {e: _anchor(e) for e in ents}
        reach = None
        for tok in sent:
            preds = triggers.get(tok.lemma_.lower()) or triggers.get(tok.lower_)
            if preds:
                if reach is None:
                    reach = {a.i: _heads_above(a) for a in anchors.values() if a is not None}
                found += _trigger_relations(tok, preds, ents, anchors, sent, rules, context, published, index, reach)
        for e in ents:
            if _is_subject(e):
                context[PRONOUN_KIND.get(e.label_, "")] = e
            if e.label_ == ORG and _is_company(e, rules):
                context[COMPANY] = e
        if not ents:
            continue
        found += _role_relations(sent, ents, rules, focus, index)
        found += _maker_relations(sent, ents, anchors, rules, context)
    found = settle_role_countries(found, focus)
    return _dedupe([r for r in found if _labels_fit(r)])


# --- trigger rules ---------------------------------------------------------------------------------------------
def _anchor(ent: Span) -> Token | None:
    """The head of the noun phrase an entity sits in: "TB2" in "24 Bayraktar TB2 armed drones" -> "drones".
    None when the phrase belongs to another entity ("Japanese" in "Japanese Defence Minister Nakatani Gen")."""
    t = ent.root
    modifier = False
    for _ in range(6):
        if t.head == t:
            break
        if t.dep_ in ("conj", "appos") or (t.dep_ == "punct" and any(c.isalnum() for c in t.text)):
            t = t.head  # (a word parsed as punctuation, "F-35A" in "the F-35A stealth fighter", is a modifier)
        elif t.dep_ in NP_DEPS and t.head.pos_ in ("NOUN", "PROPN", "NUM", "ADJ"):
            head_ent = t.head.ent_kb_id_
            if t.head.ent_type_ in ENTITY_LABELS and head_ent != ent.kb_id_ and not (ent.start <= t.head.i < ent.end):
                return None
            modifier = modifier or not (ent.start <= t.head.i < ent.end)
            t = t.head
        else:
            break
    # "US aerospace company Boeing": the phrase is Boeing's; the country only describes it
    if modifier and any(c.dep_ == "appos" and c.ent_type_ and c.ent_kb_id_ != ent.kb_id_ for c in t.children):
        return None
    return t


def _phrase_head(ent: Span) -> Token:
    """The head of the entity's own noun phrase (or of the first of coordinated phrases), not climbing to a phrase it
    is in apposition with: "MQ-9B" in "50 F-35A jets, 18 MQ-9B drones" -> "drones" (`_anchor` goes on to "jets")."""
    t = ent.root
    for _ in range(6):
        if t.head == t or t.dep_ == "appos" or t.dep_ not in NP_DEPS | {"punct"} or \
                t.head.pos_ not in ("NOUN", "PROPN", "NUM", "ADJ"):
            break
        t = t.head
    return t


def _heads_above(anchor: Token) -> frozenset[int]:
    """The offsets of the words `_role` can find a phrase's trigger at: its head, and theirs, up to 4 levels."""
    out, t = [], anchor
    for _ in range(4):
        if t.head == t:
            break
        t = t.head
        out.append(t.i)
    return frozenset(out)


def _may_attach(trigger_i: int, anchor: Token, reach: dict[int, frozenset[int]] | None) -> bool:
    """False when `_role(trigger, anchor, …)` is sure to be None (the trigger is neither the anchor nor one of the
    heads above it: `_heads_above`), so the walk up the parse can be skipped; `reach` maps anchor offsets to them."""
    if reach is None:
        return True
    above = reach.get(anchor.i)
    return above is None or anchor.i == trigger_i or trigger_i in above


def _role(trigger: Token, anchor: Token, predicate: str, rules: Rules, label: str = "") -> str | None:
    """How the phrase headed by `anchor` attaches to `trigger`: subject side, object side, or not at all."""
    if anchor is None:
        return None
    if anchor == trigger:  # the entity modifies the trigger noun: "the K2 deal", "Polish purchase"
        return OBJ if label in (WEAPON_SYSTEM, LOCATION) else SUBJ
    chain = []
    t = anchor
    while t != trigger:
        chain.append(t)
        if t.head == t or len(chain) > 4:
            return None
        t = t.head
    chain.reverse()  # chain[0] is the child of the trigger
    # "a contract worth $1.8bn for 14 F-16 jets": the parser hangs the object off the sum; read past it
    chain = [t for t in chain[:-1] if not (t.lower_ == "worth" or t.ent_type_ == "MONEY")] + chain[-1:]
    first = chain[0]
    rest = chain[1:]
    if first.dep_ in ("nsubj", "csubj", "nsubjpass") and rest and first.lemma_.lower() in rules.subject_bridge:
        if len(rest) == 2 and rest[0].dep_ == "prep" and rest[0].lower_ in ("from", "of") and rest[1].dep_ == "pobj":
            return SUBJ  # "a delegation from the Turkish Defence Ministry", "troops of X"
        if len(rest) == 1 and rest[0].dep_ == "poss":
            return SUBJ  # "Switzerland's government chose"
        return None
    if first.dep_ in ("nsubj", "csubj"):
        return SUBJ if not rest else None
    if first.dep_ == "nsubjpass":
        return OBJ if not rest else None
    if first.dep_ == "poss":
        return SUBJ if not rest else None
    if first.dep_ == "agent":
        if len(rest) == 3 and rest[0].lemma_.lower() in rules.member_nouns and rest[1].lower_ in ("of", "between") \
                and rest[2].dep_ == "pobj":
            return SUBJ  # "built by a consortium of Airbus, BAE Systems and Leonardo"
        return SUBJ if len(rest) == 1 and rest[0].dep_ == "pobj" else None
    if first.dep_ in ("dobj", "attr", "oprd", "dative", "compound", "amod", "nmod", "npadvmod", "appos") and not (
        first.dep_ == "dative" and first.pos_ == "ADP"  # "send X to Y": a preposition, handled below
    ):
        if not rest:
            if first.dep_ in ("compound", "amod", "nmod"):
                return OBJ if predicate in ("procures", "considers_procuring", "manufactures") else SUBJ
            return OBJ
        if first.lower_ in rules.bridge or first.lemma_.lower() in rules.bridge:
            return _through_bridge(rest, predicate, rules)
        return None
    if first.dep_ in ("prep", "dative") and len(rest) == 1 and rest[0].dep_ == "pobj":
        prep = first.lower_
        if prep in rules.subject_preps or (prep == "with" and predicate not in SYMMETRIC_PREDICATES and any(
                c.lower_ in ("together", "jointly", "along") for c in first.children)):
            return SUBJ  # "by X", "together with Y"
        if predicate == "procures" and prep == "from":
            return SUPPLIER
        if predicate in SYMMETRIC_PREDICATES and prep == "between":
            return BETWEEN
        if prep in rules.object_preps.get(predicate, rules.object_preps["default"]):
            return OBJ if predicate not in SYMMETRIC_PREDICATES else OTHER
        return None
    if first.dep_ == "prep" and len(rest) >= 2 and rest[0].dep_ == "pobj":
        if rest[0].lower_ in rules.bridge or rest[0].lemma_.lower() in rules.bridge:
            prep = first.lower_
            if prep in rules.object_preps.get(predicate, rules.object_preps["default"]) or prep in ("of", "for"):
                return _through_bridge(rest[1:], predicate, rules)
    return None


def _through_bridge(rest: list[Token], predicate: str, rules: Rules) -> str | None:
    """"a contract for the purchase of X": past a bridge noun only "of/for" objects (or more bridges) lead on."""
    while rest:
        t = rest[0]
        if t.dep_ in ("compound", "amod", "nmod", "appos", "nummod") and len(rest) == 1:
            return OBJ
        if t.dep_ == "prep" and t.lower_ == "from" and len(rest) == 2 and rest[1].dep_ == "pobj":
            return SUPPLIER if predicate == "procures" else None  # "buy 24 TB2 drones from Baykar"
        if t.dep_ == "prep" and t.lower_ in ("of", "for", "on") and len(rest) >= 2 and rest[1].dep_ == "pobj":
            if len(rest) == 2:
                return OBJ
            if rest[1].lower_ in rules.bridge or rest[1].lemma_.lower() in rules.bridge:
                rest = rest[2:]
                continue
        return None
    return None


def _clause_heads(trigger: Token, rules: Rules):
    """The words a trigger takes its subject from, nearest first: "Japan is considering procuring" (xcomp),
    "Duda held talks" (a light verb's object), "used it in the war with" (a noun under a verb's preposition)."""
    t = trigger
    for _ in range(4):
        # "Egypt cancelled its order for", "suspended talks to acquire": a verb that cancels a nominal trigger
        # carries its subject as a light verb does (and negates it: `_negation`)
        light = t.dep_ in ("dobj", "attr") and t.head.lemma_.lower() in rules.light_verbs | rules.negation_lemmas
        under_prep = t.pos_ == "NOUN" and t.dep_ == "pobj" and t.head.dep_ == "prep" and t.head.head != t.head
        adjective = t.dep_ == "amod" and t.pos_ == "ADJ"  # "a contract worth $370m to buy"
        if (t.dep_ not in CLAUSE_LINKS and not (light or under_prep or adjective)) or t.head == t:
            return
        head = t.head.head if under_prep else t.head
        yield head
        if t.dep_ == "relcl":  # "the drones Japan is considering": the clause's own subject only
            return
        t = head


def _inherited_subjects(trigger: Token, ents: list[Span], anchors: dict, rules: Rules, reach=None) -> list[Span]:
    """Subjects a trigger takes from the clause it hangs off ("Türkiye is willing to deploy", "a delegation from X
    is expected to visit")."""
    for head in _clause_heads(trigger, rules):
        hi = head.i
        subs = [e for e in ents if anchors[e] is not None and _may_attach(hi, anchors[e], reach)
                and _role(head, anchors[e], "", rules, e.label_) == SUBJ]
        subs += [e for e in ents if anchors[e] is not None and anchors[e].head == head
                 and anchors[e].dep_ == "nsubjpass" and head.lemma_.lower() in RAISING]
        if subs:
            return subs
    return []


def _is_subject(e: Span) -> bool:
    """The entity is (or is coordinated with) a clause's subject, not a modifier inside it."""
    root = e.root
    while root.dep_ == "conj" and root.head != root:
        root = root.head
    return root.dep_ in ("nsubj", "nsubjpass")


def _pronoun_subject(trigger: Token, context: dict[str, Span], ents: list[Span], rules: Rules) -> list[Span]:
    """"He added…", "It took delivery of…": a pronoun subject is the last subject of its kind, earlier in the same
    sentence if there is one ("Poland could buy X, in addition to the HIMARS it has requested"), else before."""
    if trigger.pos_ == "NOUN":  # "Erdogan wrapped up his visit to Saudi Arabia": the possessive's antecedent
        poss = next((c for c in trigger.children if c.dep_ == "poss" and c.lower_ in POSSESSIVE_PRONOUNS), None)
        if poss is not None:
            kind = POSSESSIVE_PRONOUNS[poss.lower_]
            same = [e for e in ents if e.end <= poss.i and _is_subject(e) and PRONOUN_KIND.get(e.label_) == kind]
            ante = same[-1] if same else context.get(kind)
            return [ante] if ante is not None else []
    for t in (trigger, *_clause_heads(trigger, rules)):
        for c in t.children:
            if c.dep_ in ("nsubj", "nsubjpass") and c.lower_ in PRONOUNS:
                kind = PRONOUNS[c.lower_]
                same = [e for e in ents if e.end <= c.i and _is_subject(e) and PRONOUN_KIND.get(e.label_) == kind]
                ante = same[-1] if same else context.get(kind)
                return [ante] if ante is not None else []
            if c.dep_ in ("nsubj", "nsubjpass") and c.lemma_.lower() in rules.company_nouns and not c.ent_type_ \
                    and any(d.dep_ == "det" and d.lower_ in REFERRING_DETS for d in c.children):
                # "The company makes the F-35": the company named last, in this sentence or before
                same = [e for e in ents if e.end <= c.i and e.label_ == ORG and _is_company(e, rules)]
                ante = same[-1] if same else context.get(COMPANY)
                return [ante] if ante is not None else []
            if c.dep_ in ("nsubj", "nsubjpass"):
                return []  # a subject of another kind: no pronoun to resolve
    return []


def _trigger_relations(trigger, preds, ents, anchors, sent, rules: Rules, context=None, published=None,
                       index: EntityIndex | None = None, reach: dict[int, frozenset[int]] | None = None
                       ) -> list[Relation]:
    """`index`: the document's entities (`EntityIndex`); `reach`: the heads above each anchor (`_heads_above`), to
    skip entities the trigger does not govern."""
    out = []
    lemma = trigger.lemma_.lower()
    ents = [e for e in ents if anchors[e] is not None]  # phrases owned by another entity take no part
    ti = trigger.i
    # the entities the trigger can take as arguments: not inside them, and governing their phrase (else no role)
    candidates = [e for e in ents if not (e.start <= ti < e.end) and _may_attach(ti, anchors[e], reach)]
    for pred, status in preds.items():
        roles: dict[str, list[Span]] = {SUBJ: [], OBJ: [], OTHER: [], SUPPLIER: [], BETWEEN: []}
        for e in candidates:
            r = _role(trigger, anchors[e], pred, rules, e.label_)
            if r:
                roles[r].append(e)
        if pred == "visits" and lemma != "visit":  # "jets flown by the RTAF's Wing 7": the wing flies, not travels
            roles[SUBJ] = [e for e in roles[SUBJ] if not (anchors[e].dep_ == "pobj" and anchors[e].head.dep_ == "agent")]
        if not roles[SUBJ] and trigger.dep_ == "appos":  # "Hanwha Defense, the maker of the K9"
            roles[SUBJ] = [e for e in ents if anchors[e] == trigger.head or e.root == trigger.head]
        if not roles[SUBJ] and trigger.dep_ == "attr":  # "Baykar is the maker of the TB2"
            roles[SUBJ] = [e for e in ents if anchors[e].head == trigger.head and anchors[e].dep_ == "nsubj"]
        if roles[SUBJ] and all(anchors[e].lemma_.lower() in rules.company_nouns and not anchors[e].ent_type_
                               for e in roles[SUBJ]):
            roles[SUBJ] = []  # "the German firm builds": the firm named before, not the country describing it
        if not roles[SUBJ]:
            roles[SUBJ] = _inherited_subjects(trigger, ents, anchors, rules, reach)
        if not roles[SUBJ] and context is not None:
            roles[SUBJ] = _pronoun_subject(trigger, context, ents, rules)
        if not roles[OBJ] and context is not None and pred in ("manufactures", "procures", "considers_procuring"):
            it = [c for c in trigger.children if c.dep_ in ("nsubjpass", "dobj") and c.lower_ == "it"]
            if it and context.get(WEAPON_SYSTEM) is not None:  # "It was developed by IAI": the last system named
                roles[OBJ] = [context[WEAPON_SYSTEM]]
            elif pred != "manufactures":  # "Ukraine and Qatar also operate the aircraft": the one drone named before
                roles[OBJ] = procurement.class_anaphor(trigger, rules.class_nouns, rules.weapon_classes, index)
        # "ANKA, produced by TUSAS": a participle hanging off the thing made
        if trigger.dep_ == "acl" and pred == "manufactures":
            # "Meteor missiles made by MBDA for its Rafale jets": a participle's thing made is the phrase it is on
            own = [e for e in ents if e.label_ == WEAPON_SYSTEM and (_phrase_head(e) == trigger.head
                                                                    or e.root == trigger.head)]
            roles[OBJ] = own or roles[OBJ]
        if trigger.dep_ in ("acl", "relcl") and not roles[OBJ]:
            # "50 F-35A jets made by X, 18 MQ-9B drones built by Y": the phrase the participle hangs off, not the
            # phrases in apposition to it
            own = [e for e in ents if _phrase_head(e) == trigger.head or e.root == trigger.head]
            roles[OBJ] = own or [e for e in ents if anchors[e] == trigger.head]
            described = trigger.head
            if not roles[OBJ] and described.dep_ in ("attr", "appos") and described.pos_ == "NOUN":
                # "the GCAP, the fighter that Britain is developing", "the Tempest is the fighter Britain develops"
                roles[OBJ] = [e for e in ents if e.label_ == WEAPON_SYSTEM and (
                    (described.dep_ == "appos" and _phrase_head(e) == described.head) or
                    (described.dep_ == "attr" and e.root.head == described.head and e.root.dep_ == "nsubj"))]
            if not roles[OBJ] and pred == "manufactures":  # "The helicopters, built by Boeing, …": the one named
                roles[OBJ] = procurement.class_referent(trigger.head, rules.class_nouns, rules.weapon_classes,
                                                        index) or []
        # a nominal trigger with no object of its own ("under Japan’s evaluation, he cited ANKA")
        if trigger.pos_ == "NOUN" and roles[SUBJ] and not roles[OBJ] and pred == "considers_procuring":
            verb = next((a for a in trigger.ancestors if a.pos_ in ("VERB", "AUX")), None)
            if verb is not None:
                roles[OBJ] = [e for e in ents if anchors[e].head == verb and anchors[e].dep_ in ("dobj", "attr")]
        # "the deal was signed in Ankara during a visit by Polish President Andrzej Duda": a visit with no place of
        # its own was to the place where the clause it times happened
        if pred == "visits" and trigger.pos_ == "NOUN" and roles[SUBJ] and not roles[OBJ] \
                and trigger.dep_ == "pobj" and trigger.head.lower_ in ("during", "on") \
                and not any(t.dep_ == "prep" and t.lower_ in ("to", "in", "at") for t in _visit_phrase(trigger)):
            clause = trigger.head.head
            roles[OBJ] = [e for e in ents if e.label_ in (COUNTRY, LOCATION) and anchors[e].dep_ == "pobj"
                          and anchors[e].head.lower_ in ("in", "at") and anchors[e].head.head == clause]
        pred_final, status_final = pred, status
        actors = _pronoun_subject(trigger, context, ents, rules) if context is not None else []  # "it would send"
        if pred in ("procures", "considers_procuring") and lemma not in rules.supplier:
            # "the US approved the sale of F-16s to Türkiye": who approves a sale sells (the sale noun speaks)
            roles[OBJ] = [o for o in roles[OBJ] if not _through_sale(trigger, anchors.get(o), ents, anchors, rules)]
        if pred == "procures":
            rejected = lemma in rules.offer and trigger.pos_ == "NOUN" and trigger.dep_ == "dobj" \
                and trigger.head.lemma_.lower() in rules.negation_lemmas
            if lemma in rules.offer and not rejected:
                continue  # an offer is no procurement; "Brazil rejected the offer of X" is one, negated
            own = any(c.dep_ == "dobj" and any(g.dep_ == "poss" and g.lower_ in ("its", "their", "his", "her")
                                               for g in c.children) for c in trigger.children)
            if lemma in rules.supplier and own and "deploys_to" in preds_of(lemma, rules):
                continue  # "the US would send its NMESIS to …": a deployment, no sale ("handed its MiG-29s to": one)
            if lemma in rules.supplier or (lemma in rules.handover and trigger.pos_ == "NOUN"):
                # "Türkiye sold drones to Ukraine", "deliveries of Typhoons to Kuwait": the receiver procures
                supplied = [e for e in procurement.with_parties([trigger], ents, anchors) if e.label_ == WEAPON_SYSTEM]
                if supplied and lemma in rules.supplier:  # "MBDA will supply Egypt with its MICA NG missiles"
                    buyers = [o for o in roles[OBJ] if o.label_ in (COUNTRY, ORG)]
                    roles[OBJ] = _unique([o for o in roles[OBJ] if o.label_ == WEAPON_SYSTEM] + supplied)
                else:
                    buyers = []
                buyers = _unique(buyers + _receivers(trigger, roles[OBJ], ents, anchors, rules))
                if buyers:
                    sellers = roles[SUBJ] + roles[SUPPLIER] + _seller_governors(trigger, ents, anchors, rules)
                    roles[SUPPLIER] = [e for e in _unique(sellers) if e.kb_id_ not in {b.kb_id_ for b in buyers}]
                    roles[SUBJ] = buyers
                elif lemma in rules.supplier and not rejected:
                    continue
            if _under_intent(trigger, rules):
                pred_final, status_final = "considers_procuring", "considering"
            # "buy TB2 drones from Turkish defence company Baykar": a company that sells a system makes it
            for seller in roles[SUPPLIER]:
                if seller.label_ == ORG and _is_company(seller, rules):
                    out += [Relation(seller, "manufactures", o, "maker:seller", trigger.text, sent, confidence=0.6)
                            for o in roles[OBJ]]
        if pred == "manufactures" and roles[SUBJ] and roles[OBJ]:
            # "the fighter Britain is developing with Italy and Japan", "co-produce the K9 with WB Group": partners
            heads = [trigger] + [anchors[o] for o in roles[OBJ] if anchors.get(o) is not None]
            roles[SUBJ] = _unique(roles[SUBJ] + [e for e in procurement.with_parties(heads, ents, anchors)
                                                 if e.label_ in (ORG, COUNTRY)])
        negated, cue = _negation(trigger, roles[SUBJ] + roles[SUPPLIER] + actors, rules)
        hedged = _hedged(trigger, rules)
        conf = 0.8 if trigger.pos_ in ("VERB", "AUX") else 0.65
        if pred_final in SYMMETRIC_PREDICATES:
            pairs = _symmetric_pairs(roles)
            if pred_final == "cooperates_with" and lemma in CONTRACT_NOUNS:
                # "the agreement between Kuwait's Ministry of Defence and Baykar": a sale, not a partnership
                pairs = [(a, b) for a, b in pairs if _is_maker(a, rules) == _is_maker(b, rules)]
        else:
            pairs = [(s, o) for s in roles[SUBJ] for o in roles[OBJ]]
        # a date on the trigger's clause, or one the parser hung on its object ("sold drones … on Monday")
        objects_path = [t for _, o in pairs for t in _path(anchors.get(o), trigger)]
        date = dates.statement_date(trigger, _own_clause(trigger, rules) + objects_path, sent, published,
                                    index.date_spans(sent) if index is not None else None) if pairs else None
        procurement_pred = pred_final in ("procures", "considers_procuring")
        if procurement_pred and pairs:
            spine = _spine(trigger, [anchors.get(o) for o in roles[OBJ]], rules)
            value = procurement.value_of(spine, sent, index.money_spans(sent) if index is not None else None)
            parties = roles[SUPPLIER] + procurement.sellers_named(spine, roles[OBJ], ents, anchors)
        # "A and B agreed to jointly develop a new launcher": co-makers cooperate whether or not the thing is named
        jointly = any(c.lower_ in JOINT_ADVERBS for c in trigger.children)
        makers = _unique(roles[SUBJ]) if pred_final == "manufactures" and (pairs or jointly) else []
        for i, a in enumerate(makers):  # "developed by IAI together with Boeing": the makers cooperate
            for b in makers[i + 1 :]:
                if a.kb_id_ != b.kb_id_ and a.label_ == b.label_ and a.label_ in (ORG, COUNTRY):
                    out.append(Relation(a, "cooperates_with", b, "trigger:co-makers", trigger.text, sent,
                                        confidence=0.6))
        for s, o in pairs:
            if s.kb_id_ == o.kb_id_:
                continue
            extra = {}
            if procurement_pred:
                extra = dict(quantity=procurement.quantity_of(o, anchors.get(o), ents, index), value=value,
                             supplier=procurement.pick_supplier(parties, anchors, {s.kb_id_, o.kb_id_}))
            out.append(Relation(s, pred_final, o, f"trigger:{pred}", trigger.text, sent, negated, cue, hedged,
                                status_final if procurement_pred else None, None, conf, date=date, **extra))
    return out


def preds_of(lemma: str, rules: Rules) -> dict[str, str | None]:
    """The predicates a trigger lemma states."""
    return rules.triggers.get(lemma, {})


def _visit_phrase(trigger: Token) -> list[Token]:
    """The visit noun's own words: its children, its prepositions' objects and theirs ("a visit by Zelensky to
    Berlin"), not a clause hanging off them ("by Duda, who held talks at the complex")."""
    out, todo = [], list(trigger.children)
    while todo:
        t = todo.pop()
        out.append(t)
        if t.dep_ in ("prep", "pobj", "det", "amod", "compound"):
            todo += list(t.children)
    return out


def _path(anchor: Token | None, trigger: Token) -> list[Token]:
    """The words from `anchor` up to (not including) `trigger`, when the trigger governs it; else none."""
    chain, t = [], anchor
    while t is not None and t != trigger:
        chain.append(t)
        if t.head == t or len(chain) > 6:
            return []
        t = t.head
    return chain if t == trigger else []


def _through_sale(trigger: Token, anchor: Token | None, ents, anchors, rules: Rules) -> bool:
    """The object is reached through a selling noun that speaks for itself: one with a receiver ("a deal for the
    sale of X to Y": Y procures) or one a seller approves ("the US approved the sale of F-16s"). A buyer's "contract
    for the supply of X" stays the buyer's."""
    for t in _path(anchor, trigger):
        if t.pos_ == "NOUN" and t.lemma_.lower() in rules.supplier - rules.offer:
            if (t.head == trigger and trigger.lemma_.lower() in rules.seller_verbs) or \
                    _receivers(t, [o for o in ents if anchors.get(o) == anchor], ents, anchors, rules):
                return True
    return False


def _receivers(trigger: Token, objs: list[Span], ents, anchors, rules: Rules) -> list[Span]:
    """Who receives what a trigger sells or delivers: "to X" on the trigger, on the system sold ("the sale of
    F-16s to Türkiye"), or on the verb a selling noun is the object of ("approved the sale of F-16s to Türkiye")."""
    buyers = [e for e in ents if _role(trigger, anchors[e], "deploys_to", rules) == OBJ
              and anchors[e].head.lower_ == "to"]
    where = [anchors.get(o) for o in objs if anchors.get(o) is not None]
    if trigger.pos_ == "NOUN" and trigger.dep_ in ("dobj", "nsubjpass", "nsubj") and trigger.head.pos_ == "VERB":
        where.append(trigger.head)
    buyers += procurement.to_parties(where, ents, anchors)
    return [b for b in _unique(buyers) if b.label_ in (COUNTRY, ORG)]


def _seller_governors(trigger: Token, ents, anchors, rules: Rules) -> list[Span]:
    """The subject of the verb a selling noun depends on, when that verb approves or concludes a sale: "the US
    approved the sale of …", "the sale … was approved by Congress"."""
    if trigger.pos_ != "NOUN" or trigger.dep_ not in ("dobj", "nsubjpass") or trigger.head.lemma_.lower() not in \
            rules.seller_verbs:
        return []
    verb = trigger.head
    return [e for e in ents if anchors[e] is not None and _role(verb, anchors[e], "", rules, e.label_) == SUBJ]


def _spine(trigger: Token, objects: list[Token | None], rules: Rules) -> set[Token]:
    """The words a procurement statement is made of: the trigger, the words leading from it to its objects, and the
    clause words it hangs off (not across a coordination: "bought X for $1bn and ordered Y")."""
    spine = {trigger}
    for a in objects:
        spine.update(_path(a, trigger))
    return spine | set(_own_clause(trigger, rules, across_conj=False))


def _own_clause(trigger: Token, rules: Rules, across_conj: bool = True) -> list[Token]:
    """The clause words a trigger takes its subject from (`_clause_heads`), short of a reporting clause: in "Poland
    will buy X, the minister said on Monday" the date is the saying's, not the buying's."""
    out, prev = [], trigger
    for head in _clause_heads(trigger, rules):
        if prev.dep_ in ("ccomp", "parataxis") or (prev.dep_ == "conj" and not across_conj):
            break
        out.append(head)
        prev = head
    return out


def _symmetric_pairs(roles: dict[str, list[Span]]) -> list[tuple[Span, Span]]:
    """"cooperation between A and B" (and "X, a joint venture between A and B": X is no member) pairs A with B;
    "A met B and C" pairs A with each; "A and B signed a pact" pairs the coordinated subjects."""
    def within(spans):
        spans = _unique(spans)
        return [(a, b) for i, a in enumerate(spans) for b in spans[i + 1 :]]

    if len(roles[BETWEEN]) >= 2:
        return within(roles[BETWEEN])
    others = _unique(roles[OBJ] + roles[OTHER] + roles[BETWEEN])
    if roles[SUBJ] and others:
        return [(s, o) for s in _unique(roles[SUBJ]) for o in others]
    return within(roles[SUBJ])


def _under_intent(trigger: Token, rules: Rules) -> bool:
    """"request to buy", "plans to acquire", "could buy": a procurement not yet contracted."""
    if any(c.dep_ == "aux" and c.lower_ in ("could", "may", "might") for c in trigger.children):
        return True
    t = trigger
    for _ in range(3):
        if t.head == t:
            return False
        if t.dep_ in ("xcomp", "acl", "pcomp", "pobj", "advcl", "ccomp", "relcl") and (
            t.head.lemma_.lower() in rules.intent or t.head.lower_ in rules.intent
        ):
            return True
        if t.dep_ not in ("xcomp", "acl", "pcomp", "pobj", "prep", "aux"):
            return False
        t = t.head
    return False


def _negation(trigger: Token, subjects: list[Span], rules: Rules) -> tuple[bool, str | None]:
    for c in trigger.children:
        if c.dep_ == "neg" or (c.lower_ in rules.negation_words and c.dep_ in ("neg", "advmod", "det")):
            return True, c.text
    t = trigger
    for _ in range(3):
        if t.head == t or t.dep_ not in ("xcomp", "dobj", "pcomp", "pobj", "prep", "acl", "ccomp", "advcl"):
            break
        t = t.head
        if t.lemma_.lower() in rules.negation_lemmas:
            their = [c for c in t.children if c.dep_ in ("nsubj", "nsubjpass")]
            # "it will suspend discussions to acquire": a pronoun subject is the one the statement resolved
            if not their or not subjects or any(c.lower_ in PRONOUNS for c in their) or \
                    any(s.root in c.subtree for c in their for s in subjects):
                return True, t.text
            break
        # "has no plans to buy", "will not buy": a negating child of a word the trigger hangs off
        cue = next((c for c in t.children if c.dep_ == "neg" or (c.dep_ == "det" and c.lower_ in rules.negation_words)),
                   None)
        if cue is not None:
            return True, cue.text
    return False, None


def _hedged(trigger: Token, rules: Rules) -> bool:
    near = list(trigger.children) + ([trigger.head] if trigger.head != trigger else [])
    near += [c for h in near if h == trigger.head for c in h.children if c.dep_ in ("aux", "advmod")]
    return any(t.lower_ in rules.hedge_words for t in near)


# --- role rules ------------------------------------------------------------------------------------------------
def _role_relations(sent: Span, ents: list[Span], rules: Rules, focus: Span | None,
                    index: EntityIndex | None = None) -> list[Relation]:
    out = []
    for person in (e for e in ents if e.label_ == PERSON):
        # titles right before the name: "Turkish Defence Minister Yasar Guler", "Polish President Andrzej Duda"
        i = person.start - 1
        words: list[Token] = []
        # (also through a possessive: "South Sudan's President Salva Kiir")
        while i >= sent.start and (sent.doc[i].lower_ in rules.titles or sent.doc[i].ent_type_ in (COUNTRY, ORG)
                                   or (sent.doc[i].lower_ in ("'s", "’s") and i - 1 >= sent.start
                                       and sent.doc[i - 1].ent_type_ in (COUNTRY, ORG))):
            words.insert(0, sent.doc[i])
            i -= 1
        out += _role_from_words(person, words, ents, sent, rules, focus, "role:premodifier", index)
        # apposition: "Selcuk Bayraktar, the firm’s chief technology officer"; "X, Baykar's chief executive"
        doc = sent.doc
        if person.end < len(doc) and doc[person.end].text == ",":
            for child in person.root.children:
                if child.dep_ == "appos" and child.i > person.end:
                    phrase = [t for t in child.subtree if t.i > person.end]
                    out += _role_from_words(person, phrase, ents, sent, rules, None, "role:apposition", index)
        # "the RTAF commander, Punpakdee Pattanakul, said": spaCy makes the person the title's apposition
        if person.root.dep_ == "appos" and person.root.head.i < person.start and doc[person.start - 1].text == ",":
            phrase = [t for t in person.root.head.subtree if t.i < person.start - 1]
            out += _role_from_words(person, phrase, ents, sent, rules, None, "role:apposition", index)
    # "German Defence Minister Boris Pistorius and his Israeli counterpart Yoav Gallant": a counterpart holds the
    # role the sentence gives the other person
    named = [r.role for r in out if r.role.lower() not in rules.counterparts]
    return [replace(r, role=named[0], rule="role:counterpart") if named and r.role.lower() in rules.counterparts
            else r for r in out]


def _role_from_words(person, words, ents, sent, rules: Rules, focus, rule, index: EntityIndex | None = None
                     ) -> list[Relation]:
    title = [t for t in words if t.lower_ in rules.titles and t.ent_type_ not in (COUNTRY, ORG, PERSON)]
    if not any(t.lower_ in rules.role_heads for t in title):
        return []
    while title and title[0].lower_ in ("of", "the"):
        title = title[1:]
    while title and title[-1].lower_ in ("of", "the"):
        title = title[:-1]
    role = " ".join(t.text for t in title)
    idx = {t.i for t in words}
    orgs = [e for e in ents if e.label_ in (COUNTRY, ORG) and e.start in idx]
    conf = 0.9
    if not orgs:
        if any(t.lower_ in ("firm", "company", "group", "manufacturer", "maker") for t in words):
            if index is not None:  # the last organisation ending before the person
                org_ents, _, org_ends = index.labelled(ORG)
                k = bisect_right(org_ends, person.start)
                orgs = org_ents[k - 1 : k]
            else:
                orgs = [e for e in sent.doc.ents if e.label_ == ORG and e.end <= person.start][-1:]
            conf = 0.6
        elif any(t.lower_ in rules.government_titles for t in title):
            # "Defence Minister Viola Amherd said": the phrase names no country; `settle_role_countries` picks it
            # once the whole document is read (the person's role elsewhere, else the article's lead country)
            return [Relation(person, "holds_role", person, IMPLICIT_ROLE, role, sent, role=role, confidence=0.5)]
    return [Relation(person, "holds_role", o, rule, role, sent, role=role, confidence=conf) for o in orgs[:1]]


IMPLICIT_ROLE = "role:implicit-country"


def settle_role_countries(found: list[Relation], focus: Span | None) -> list[Relation]:
    """The country of a government title the phrase leaves implicit ("President Javier Milei"), in this order: the
    same person's role for a country elsewhere in the document ("Argentine President Javier Milei"), then the
    article's lead country (`_focus_country`); never a country the person visits or meets, nor the country of the
    other party of a meeting or of a counterpart named in the same sentence. With none left, no relation."""
    stated: dict[str, Span] = {}  # person -> the country a phrase of its own gives
    for r in found:
        if r.predicate == "holds_role" and r.rule != IMPLICIT_ROLE and r.object.label_ == COUNTRY \
                and r.rule != "role:counterpart":
            stated.setdefault(r.subject.kb_id_, r.object)
    avoid: dict[str, set[str]] = {}
    for r in found:
        if r.predicate == "visits" and not r.negated:
            avoid.setdefault(r.subject.kb_id_, set()).add(r.object.kb_id_)
        elif r.predicate == "meets":
            for a, b in ((r.subject, r.object), (r.object, r.subject)):
                other = stated.get(b.kb_id_) if b.label_ == PERSON else b
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
        actors = {e.kb_id_: e for e in r.sentence.ents if e.label_ == COUNTRY and _is_subject(e)}
        if person in stated:
            out.append(replace(r, object=stated[person], rule="role:same-person", confidence=0.6))
        elif len(actors) == 1 and allowed(next(iter(actors.values()))):
            out.append(replace(r, object=next(iter(actors.values())), rule="role:sentence-country"))
        elif focus is not None and allowed(focus) and (focus.kb_id_ in countries or not countries):
            out.append(replace(r, object=focus, rule="role:lead-country"))
    return out


def _focus_country(doc: Doc, index: EntityIndex | None = None) -> Span | None:
    """The country an article is about: its most mentioned country (first mention kept as the span)."""
    countries = index.labelled(COUNTRY)[0] if index is not None else [e for e in doc.ents if e.label_ == COUNTRY]
    if not countries:
        return None
    counts = Counter(e.kb_id_ for e in countries)
    # the lead names the protagonist: the first country, when it is among the two most mentioned
    top2 = {k for k, _ in counts.most_common(2)}
    first = countries[0]
    return first if first.kb_id_ in top2 and counts[first.kb_id_] >= 2 else None


# --- maker rules -----------------------------------------------------------------------------------------------
def _maker_relations(sent: Span, ents: list[Span], anchors: dict, rules: Rules, context=None) -> list[Relation]:
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
            if _within_phrase(w, owned, anchors):
                cue = doc[e.end].text if e.end < len(doc) else "'s"
                if _in_service(owned, w, rules) or _is_armed_force(e, rules):
                    # "the Swiss Air Force's ageing F/A-18 Hornet fleet", "the Israeli Air Force's F-35I jets"
                    out.append(Relation(e, "procures", w, "operator:possessive", cue, sent, status="operates",
                                        confidence=0.7))
                elif e.label_ == ORG and _is_company(e, rules):
                    out.append(Relation(e, "manufactures", w, "maker:possessive", cue, sent, confidence=0.75))
    # "Poland plans to use the jets to replace its ageing MiG-29 and Su-22 fighters": the pronoun's owner operates
    for tok in sent:
        if tok.dep_ == "poss" and tok.lower_ in ("its", "their") and _in_service(tok.head, None, rules):
            owners = [e for e in ents if e.end <= tok.i and _is_subject(e) and e.label_ in (COUNTRY, ORG)]
            owner = owners[-1] if owners else (context or {}).get("THING")
            for w in weapons:
                if owner is not None and _within_phrase(w, tok.head, anchors):
                    out.append(Relation(owner, "procures", w, "operator:pronoun", tok.text, sent,
                                        status="operates", confidence=0.6))
    # the same when the parser loses the possessive: ORG + 's + system, side by side
    for e in ents:
        if e.label_ == ORG and _is_company(e, rules) and e.end + 1 < len(doc) and doc[e.end].lower_ in ("'s", "’s"):
            for w in weapons:
                if w.start == e.end + 1:
                    out.append(Relation(e, "manufactures", w, "maker:possessive", doc[e.end].text, sent,
                                        confidence=0.7))
    # "16 Boeing P-8A Poseidon aircraft", "the Saab Gripen": a company's name in front of the system's
    for e in ents:
        if e.label_ == ORG and e.root.dep_ in ("compound", "nmod") and _is_company(e, rules):
            for w in weapons:
                if w.start == e.end and (w.start <= e.root.head.i < w.end or e.start <= w.root.head.i < e.end
                                         or _phrase_head(e) == _phrase_head(w)):
                    out.append(Relation(e, "manufactures", w, "maker:premodifier", e.text, sent, confidence=0.7))
    # "Saab-built Gripen C/D", "US-built F-35A": maker + hyphen + participle right before the system
    for w in weapons:
        i = w.start - 1
        while i >= sent.start and (doc[i].lower_ in ("the", "a", "an") or doc[i].like_num):
            i -= 1
        if i - 2 >= sent.start and doc[i].lower_ in MAKER_SUFFIXES and doc[i - 1].text == "-":
            maker = next((e for e in ents if e.end == i - 1 and e.label_ in (ORG, COUNTRY)), None)
            if maker is not None:
                out.append(Relation(maker, "manufactures", w, "maker:hyphenated", doc[i].text, sent,
                                    confidence=0.8))
    # "… buy 24 Bayraktar TB2 drones, … to acquire the Turkish-made aircraft": with one system in the sentence, a
    # made-in phrase on a bare class noun speaks of it
    if len({w.kb_id_ for w in weapons}) == 1:
        for t in sent:
            if t.lower_ in MAKER_SUFFIXES and t.i >= sent.start + 2 and doc[t.i - 1].text == "-" \
                    and t.i + 1 < sent.end and doc[t.i + 1].lower_ in WEAPON_CLASS_NOUNS:
                maker = next((e for e in ents if e.end == t.i - 1 and e.label_ in (ORG, COUNTRY)), None)
                if maker is not None:
                    out.append(Relation(maker, "manufactures", weapons[0], "maker:hyphenated-anaphor", t.text, sent,
                                        confidence=0.55))
    return out


IN_SERVICE_CUES = frozenset("ageing aging old older current existing own fleet fleets inventory "
                            "in-service legacy remaining".split())
ARMED_FORCE_WORDS = frozenset("force forces army navy corps guard".split())
NOT_COMPANY_WORDS = frozenset("force forces army navy ministry government council command guard corps "
                              "department agency administration military".split())


def _within_phrase(w: Span, head: Token, anchors: dict) -> bool:
    """The system sits in the noun phrase headed by `head` (also through a mis-attached modifier or two)."""
    if anchors.get(w) == head or w.root == head or w.start <= head.i < w.end:
        return True
    t = w.root
    for _ in range(3):  # up through noun-phrase links only, never through a clause
        if t.dep_ not in NP_DEPS | {"dep", "punct"} or t.head == t:
            return False
        t = t.head
        if t == head:
            return True
    return False


def _in_service(owned: Token, weapon: Span, rules: Rules) -> bool:
    """A possessed system described as in service: "its ageing MiG-29", "the air force's F-16 fleet", or one that
    is being replaced or retired ("will replace the Finnish Air Force's 62 F/A-18 Hornets")."""
    words = {t.lower_ for t in owned.subtree} | {owned.lower_}
    replaced = owned.dep_ in ("dobj", "nsubjpass") and owned.head.lemma_.lower() in rules.in_service_verbs
    return replaced or bool(words & IN_SERVICE_CUES)


def _is_armed_force(ent: Span, rules: Rules) -> bool:
    """An air force, navy or army: the registry's kind where it knows the organisation, else read from the name."""
    kind = rules.org_kinds.get(ent.kb_id_)
    if kind is not None:
        return kind == "armed_force"
    return bool({t.lower_ for t in ent} & ARMED_FORCE_WORDS)


CONTRACT_NOUNS = frozenset({"agreement", "deal", "contract", "accord", "memorandum"})


def _is_maker(ent: Span, rules: Rules) -> bool:
    return ent.label_ == ORG and _is_company(ent, rules)


def _is_company(ent: Span, rules: Rules) -> bool:
    """Makers are companies: the registry's kind where it knows the organisation, else read from the name (not
    armed forces, ministries or governments)."""
    kind = rules.org_kinds.get(ent.kb_id_)
    if kind is not None:
        return kind == "company"
    words = {t.lower_ for t in ent} | set(ent.kb_id_.split(":", 1)[-1].split("-"))  # "RTAF" -> royal-thai-air-force
    return not words & NOT_COMPANY_WORDS


# --- output ----------------------------------------------------------------------------------------------------
def _labels_fit(r: Relation) -> bool:
    subj, obj = ARGUMENT_LABELS[r.predicate]
    if r.predicate in SYMMETRIC_PREDICATES:
        return (r.subject.label_ in subj and r.object.label_ in obj)
    return r.subject.label_ in subj and r.object.label_ in obj


def _unique(spans: Iterable[Span]) -> list[Span]:
    seen, out = set(), []
    for s in spans:
        if (s.start, s.end) not in seen:
            seen.add((s.start, s.end))
            out.append(s)
    return out


DETAILS = ("quantity", "value", "supplier", "date")


def _with_details(r: Relation, other: Relation) -> Relation:
    """`r`, its missing details (quantity, value, supplier, date) filled from another record of the same triple."""
    fill = {k: getattr(other, k) for k in DETAILS if getattr(r, k) is None and getattr(other, k) is not None}
    return replace(r, **fill) if fill else r


def _dedupe(rels: list[Relation]) -> list[Relation]:
    """One record per (subject mention, predicate, object mention); the most confident rule wins, and takes the
    details another rule found ("signed a contract worth $370m to buy": the value from "contract")."""
    best: dict[tuple, Relation] = {}
    for r in rels:
        a, b = (r.subject.start, r.subject.end), (r.object.start, r.object.end)
        if r.predicate in SYMMETRIC_PREDICATES and b < a:
            a, b = b, a
        key = (a, r.predicate, b)
        if key not in best:
            best[key] = r
        elif r.confidence > best[key].confidence:
            best[key] = _with_details(r, best[key])
        else:
            best[key] = _with_details(best[key], r)
    return sorted(best.values(), key=lambda r: (r.sentence.start, r.subject.start, r.object.start, r.predicate))


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
    from .entities import mention_id

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


def relation_rows(doc_id: str, rels: list[Relation], entity_of: dict[str, str], mention_of) -> list[dict]:
    """Table rows for one document; `mention_of(span)` gives the mention id, `entity_of` maps it to entity_id."""
    return resolve_records(relation_records(doc_id, rels, mention_of), entity_of)
