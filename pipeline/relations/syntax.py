"""Reading the dependency parse for the rule families: the head of the phrase an entity sits in (`np_anchor`,
`phrase_head`), how a phrase attaches to a trigger (`attachment`: subject side, object side, supplier, a "between"
party), the path between them, the clause words a trigger takes its subject from (`clause_heads`, `own_clause`,
`spine_of`), and the statement's mood: intent (`under_intent`), negation (`negation_of`) and hedges (`is_hedged`).

Pure functions over tokens and spans; the words they consult come from `Rules`. They produce no relations.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

from ..labels import COUNTRY, ENTITY_LABELS, LOCATION, ORG, SYMMETRIC_PREDICATES, WEAPON_SYSTEM
from .rules import Rules

# How a phrase attaches to a trigger (`attachment`): subject or object side, another party of a symmetric
# predicate, the seller of a procurement, one of the parties "between" which a symmetric relation holds.
SUBJ, OBJ, OTHER, SUPPLIER, BETWEEN = "subj", "obj", "other", "supplier", "between"
PARTY_LABELS = frozenset({COUNTRY, ORG})  # names that can be joined by a hyphen as the parties of one phrase
# Dependencies that attach a word to the noun phrase it belongs to: climbing them finds the phrase's head.
NP_DEPS = frozenset({"compound", "amod", "nmod", "nummod", "quantmod", "appos", "conj", "cc", "det", "npadvmod",
                     "preconj", "dep"})  # (designations such as "F-35" are often parsed as numbers: "20 F-35 jets")
# Dependencies that link a clause to the one it hangs off (a trigger takes its subject from there).
CLAUSE_LINKS = frozenset({"xcomp", "conj", "advcl", "ccomp", "pcomp", "acomp", "acl", "relcl"})


def np_anchor(ent: Span) -> Token | None:
    """The head of the noun phrase an entity sits in: "TB2" in "24 Bayraktar TB2 armed drones" -> "drones".
    None when the phrase belongs to another entity ("Japanese" in "Japanese Defence Minister Nakatani Gen")."""
    t = ent.root
    modifier = False
    for _ in range(6):
        if t.head == t:
            break
        if modifier and t.dep_ == "appos" and t.head.ent_type_ in ENTITY_LABELS and t.head.ent_kb_id_ != ent.kb_id_:
            break  # "Russia's invasion of Ukraine, the Israel-Hamas war": the war is Hamas's phrase, not Ukraine's
        if t.dep_ in ("conj", "appos") or (t.dep_ == "punct" and any(c.isalnum() for c in t.text)):
            t = t.head  # (a word parsed as punctuation, "F-35A" in "the F-35A stealth fighter", is a modifier)
        elif t.dep_ in NP_DEPS and t.head.pos_ in ("NOUN", "PROPN", "NUM", "ADJ"):
            head_ent = t.head.ent_kb_id_
            if t.head.ent_type_ in ENTITY_LABELS and head_ent != ent.kb_id_ and not (ent.start <= t.head.i < ent.end):
                doc = t.doc
                if t.i + 2 < len(doc) and doc[t.i + 1].text == "-" and doc[t.i + 2].ent_kb_id_ == head_ent and \
                        {t.head.ent_type_, t.ent_type_} <= PARTY_LABELS:
                    t = t.head  # "the Israel-Hamas war": two names joined by a hyphen head one phrase together
                    continue
                return None
            modifier = modifier or not (ent.start <= t.head.i < ent.end)
            t = t.head
        else:
            break
    # "US aerospace company Boeing": the phrase is Boeing's; the country only describes it
    if modifier and any(c.dep_ == "appos" and c.ent_type_ and c.ent_kb_id_ != ent.kb_id_ for c in t.children):
        return None
    return t


def phrase_head(ent: Span) -> Token:
    """The head of the entity's own noun phrase (or of the first of coordinated phrases), not climbing to a phrase it
    is in apposition with: "MQ-9B" in "50 F-35A jets, 18 MQ-9B drones" -> "drones" (`np_anchor` goes on to "jets")."""
    t = ent.root
    for _ in range(6):
        if t.head == t or t.dep_ == "appos" or t.dep_ not in NP_DEPS | {"punct"} or \
                t.head.pos_ not in ("NOUN", "PROPN", "NUM", "ADJ"):
            break
        t = t.head
    return t


def heads_above(anchor: Token) -> frozenset[int]:
    """The offsets of the words `attachment` can find a phrase's trigger at: its head, and theirs, up to 4 levels."""
    out, t = [], anchor
    for _ in range(4):
        if t.head == t:
            break
        t = t.head
        out.append(t.i)
    return frozenset(out)


def may_attach(trigger_i: int, anchor: Token, reach: dict[int, frozenset[int]] | None) -> bool:
    """False when `attachment(trigger, anchor, …)` is sure to be None (the trigger is neither the anchor nor one of the
    heads above it: `heads_above`), so the walk up the parse can be skipped; `reach` maps anchor offsets to them."""
    if reach is None:
        return True
    above = reach.get(anchor.i)
    return above is None or anchor.i == trigger_i or trigger_i in above


def attachment(trigger: Token, anchor: Token, predicate: str, rules: Rules, label: str = "") -> str | None:
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
    if first.dep_ == "cc" and len(rest) == 2 and rest[0].dep_ == "prep" and rest[1].dep_ == "pobj":
        first, rest = rest[0], rest[1:]  # "flown by A and B as well as by Norway": the preposition speaks
    if first.dep_ in ("nsubj", "csubj", "nsubjpass") and rest and (first.lemma_.lower() in rules.subject_bridge
                                                                       or first.lower_ in rules.subject_bridge):
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
        if predicate == "procures" and first.dep_ == "dobj" and len(rest) == 2 and rest[0].lower_ == "from" \
                and rest[1].dep_ == "pobj" and first.ent_type_ == WEAPON_SYSTEM:
            return SUPPLIER  # "ordered its own U212 NFS boats from Fincantieri": the parser hangs "from" on them
        return None
    if first.dep_ in ("prep", "dative") and len(rest) == 1 and rest[0].dep_ == "pobj":
        prep = first.lower_
        if prep in rules.subject_preps or (prep == "with" and predicate not in SYMMETRIC_PREDICATES and any(
                c.lower_ in rules.companion_words for c in first.children)):
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


def clause_heads(trigger: Token, rules: Rules):
    """The words a trigger takes its subject from, nearest first: "Japan is considering procuring" (xcomp),
    "Duda held talks" (a light verb's object), "used it in the war with" (a noun under a verb's preposition)."""
    t = trigger
    for _ in range(4):
        # "Egypt cancelled its order for", "suspended talks to acquire": a verb that cancels a nominal trigger
        # carries its subject as a light verb does (and negates it: `negation_of`)
        light = t.dep_ in ("dobj", "attr") and (t.head.lemma_.lower() in rules.light_verbs or cancels(t.head, rules))
        under_prep = t.pos_ == "NOUN" and t.dep_ == "pobj" and t.head.dep_ == "prep" and t.head.head != t.head
        adjective = t.dep_ == "amod" and t.pos_ == "ADJ"  # "a contract worth $370m to buy"
        if (t.dep_ not in CLAUSE_LINKS and not (light or under_prep or adjective)) or t.head == t:
            return
        if t.dep_ == "relcl" and any(c.dep_ == "advmod" and c.lower_ in ("where", "when") for c in t.children):
            return  # "travelled to AlUla, where he held talks": the place is no subject (the pronoun is)
        head = t.head.head if under_prep else t.head
        yield head
        if t.dep_ == "relcl":  # "the drones Japan is considering": the clause's own subject only
            return
        t = head


def is_subject(e: Span) -> bool:
    """The entity is (or is coordinated with) a clause's subject, not a modifier inside it."""
    root = e.root
    while root.dep_ == "conj" and root.head != root:
        root = root.head
    return root.dep_ in ("nsubj", "nsubjpass")


def path_to(anchor: Token | None, trigger: Token) -> list[Token]:
    """The words from `anchor` up to (not including) `trigger`, when the trigger governs it; else none."""
    chain, t = [], anchor
    while t is not None and t != trigger:
        chain.append(t)
        if t.head == t or len(chain) > 6:
            return []
        t = t.head
    return chain if t == trigger else []


def spine_of(trigger: Token, objects: list[Token | None], rules: Rules) -> set[Token]:
    """The words a procurement statement is made of: the trigger, the words leading from it to its objects, and the
    clause words it hangs off (not across a coordination: "bought X for $1bn and ordered Y")."""
    spine = {trigger}
    for a in objects:
        spine.update(path_to(a, trigger))
    return spine | set(own_clause(trigger, rules, across_conj=False))


def own_clause(trigger: Token, rules: Rules, across_conj: bool = True) -> list[Token]:
    """The clause words a trigger takes its subject from (`clause_heads`), short of a reporting clause: in "Poland
    will buy X, the minister said on Monday" the date is the saying's, not the buying's."""
    out, prev = [], trigger
    for head in clause_heads(trigger, rules):
        if prev.dep_ in ("ccomp", "parataxis") or (prev.dep_ == "conj" and not across_conj):
            break
        out.append(head)
        prev = head
    return out


def under_intent(trigger: Token, rules: Rules) -> bool:
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


def negation_of(trigger: Token, subjects: list[Span], rules: Rules) -> tuple[bool, str | None]:
    for c in trigger.children:
        if c.dep_ == "neg" or (c.lower_ in rules.negation_words and c.dep_ in ("neg", "advmod", "det")):
            return True, c.text
    t = trigger
    for _ in range(3):
        if t.head == t or t.dep_ not in ("xcomp", "dobj", "attr", "pcomp", "pobj", "prep", "acl", "ccomp", "advcl"):
            break
        t = t.head
        if t.lower_ in rules.negation_barriers:
            break  # "called off a trip because of Iran's attack on Israel": the cause is not what is cancelled
        if cancels(t, rules):
            their = [c for c in t.children if c.dep_ in ("nsubj", "nsubjpass")]
            # "it will suspend discussions to acquire": a pronoun subject is the one the statement resolved
            if not their or not subjects or any(c.lower_ in rules.pronouns for c in their) or \
                    any(s.root in c.subtree for c in their for s in subjects):
                return True, t.text
            break
        # "has no plans to buy", "will not buy": a negating child of a word the trigger hangs off
        cue = next((c for c in t.children if c.dep_ == "neg" or (c.dep_ == "det" and c.lower_ in rules.negation_words)),
                   None)
        if cue is not None:
            return True, cue.text
    return False, None


def cancels(t: Token, rules: Rules) -> bool:
    """A word that denies or cancels what it governs: a negation lemma ("scrapped", "ruled out"), or a phrasal verb of
    `negation.phrases` ("called off the purchase", "backed out of the deal")."""
    if t.lemma_.lower() in rules.negation_lemmas:
        return True
    return any(c.dep_ == "prt" and f"{t.lemma_.lower()} {c.lower_}" in rules.negation_phrases for c in t.children)


def is_hedged(trigger: Token, rules: Rules) -> bool:
    near = list(trigger.children) + ([trigger.head] if trigger.head != trigger else [])
    near += [c for h in near if h == trigger.head for c in h.children if c.dep_ in ("aux", "advmod")]
    return any(t.lower_ in rules.hedge_words for t in near)


def within_phrase(w: Span, head: Token, anchors: dict) -> bool:
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


def modifies(w: Span, head: Token) -> bool:
    """The entity is a modifier inside the noun phrase headed by `head`, not a conjunct or apposition of it: "IRIS-T"
    in "the IRIS-T short-range missile made by …" (the parser may hang the phrase itself anywhere)."""
    t = w.root
    if t.dep_ == "conj" and t.head.dep_ in ("compound", "nmod", "amod"):
        t = t.head  # "the David's Sling and Iron Dome batteries": coordinated modifiers of one noun
    for _ in range(3):
        if t.dep_ not in NP_DEPS - {"conj", "appos", "cc"} or t.head == t:
            return False
        t = t.head
        if t == head:
            return True
    return False


def unique_spans(spans: Iterable[Span]) -> list[Span]:
    seen, out = set(), []
    for s in spans:
        if (s.start, s.end) not in seen:
            seen.add((s.start, s.end))
            out.append(s)
    return out
