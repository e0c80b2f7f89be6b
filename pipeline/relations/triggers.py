"""Trigger relations: a trigger word (verb or noun) of `rules.yaml` and the entities attached to it, on the subject
side (nsubj, agent, possessive, inherited through xcomp/conj, a pronoun's antecedent) and the object side (dobj,
passive subject, "of/for/to" objects, reached through bridge nouns such as "contract" or "drones").

Selling words ("Türkiye sold X to Ukraine", "the sale of F-16s to Türkiye", "deliveries of X to Kuwait") make the
receiver the subject of procures and the seller its supplier, never a buyer; an offer is no procurement.
Procurement statements carry their details (`procurement`), every statement the day it gives (`dates`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

from ..labels import COUNTRY, LOCATION, ORG, SYMMETRIC_PREDICATES, WEAPON_SYSTEM
from . import dates, procurement
from .relation import EntityIndex, Relation
from .rules import COMPANY, PRONOUN_KIND, Rules, is_armed_force, is_company, is_maker
from .syntax import (
    BETWEEN, OBJ, OTHER, SUBJ, SUPPLIER, attachment, clause_heads, is_hedged, is_subject, may_attach,
    negation_of, own_clause, path_to, phrase_head, spine_of, under_intent, unique_spans,
)


def _inherited_subjects(trigger: Token, ents: list[Span], anchors: dict, rules: Rules, reach=None,
                        pred: str = "") -> list[Span]:
    """Subjects a trigger takes from the clause it hangs off ("Türkiye is willing to deploy", "a delegation from X
    is expected to visit"); a buying word takes none from a selling clause ("Dassault has sold the jet to Qatar, and
    … signed for 18 of the aircraft": the seller buys nothing)."""
    buying = pred in ("procures", "considers_procuring") and trigger.lemma_.lower() not in rules.supplier
    if trigger.pos_ in ("VERB", "AUX") and any(c.dep_ in ("nsubj", "nsubjpass") and c.pos_ == "PROPN"
                                               for c in trigger.children):
        return []  # "to help Kyiv fight off …": a verb with a named subject of its own inherits none
    for head in clause_heads(trigger, rules):
        if buying and head.lemma_.lower() in rules.supplier:
            return []
        hi = head.i
        subs = [e for e in ents if anchors[e] is not None and may_attach(hi, anchors[e], reach)
                and attachment(head, anchors[e], "", rules, e.label_) == SUBJ]
        subs += [e for e in ents if anchors[e] is not None and anchors[e].head == head
                 and anchors[e].dep_ == "nsubjpass" and head.lemma_.lower() in rules.raising_verbs]
        if subs:
            return subs
    return []


def _pronoun_subject(trigger: Token, context: dict[str, Span], ents: list[Span], rules: Rules) -> list[Span]:
    """"He added…", "It took delivery of…": a pronoun subject is the last subject of its kind, earlier in the same
    sentence if there is one ("Poland could buy X, in addition to the HIMARS it has requested"), else before."""
    if trigger.pos_ == "NOUN":  # "Erdogan wrapped up his visit to Saudi Arabia": the possessive's antecedent
        poss = next((c for c in trigger.children if c.dep_ == "poss" and c.lower_ in rules.possessive_pronouns), None)
        if poss is not None:
            kind = rules.possessive_pronouns[poss.lower_]
            same = [e for e in ents if e.end <= poss.i and is_subject(e) and PRONOUN_KIND.get(e.label_) == kind]
            ante = same[-1] if same else context.get(kind)
            return [ante] if ante is not None else []
    for t in (trigger, *clause_heads(trigger, rules)):
        for c in t.children:
            if c.dep_ in ("nsubj", "nsubjpass") and c.lower_ in rules.pronouns:
                kind = rules.pronouns[c.lower_]
                same = [e for e in ents if e.end <= c.i and is_subject(e) and PRONOUN_KIND.get(e.label_) == kind]
                ante = same[-1] if same else context.get(kind)
                return [ante] if ante is not None else []
            if c.dep_ in ("nsubj", "nsubjpass") and c.lemma_.lower() in rules.company_nouns and not c.ent_type_ \
                    and any(d.dep_ == "det" and d.lower_ in rules.referring_dets for d in c.children):
                # "The company makes the F-35": the company named last, in this sentence or before
                same = [e for e in ents if e.end <= c.i and e.label_ == ORG and is_company(e, rules)]
                ante = same[-1] if same else context.get(COMPANY)
                return [ante] if ante is not None else []
            if c.dep_ in ("nsubj", "nsubjpass"):
                return []  # a subject of another kind: no pronoun to resolve
    return []


def trigger_relations(trigger, preds, ents, anchors, sent, rules: Rules, context=None, published=None,
                       index: EntityIndex | None = None, reach: dict[int, frozenset[int]] | None = None
                       ) -> list[Relation]:
    """`index`: the document's entities (`EntityIndex`); `reach`: the heads above each anchor (`heads_above`), to
    skip entities the trigger does not govern."""
    out = []
    lemma = trigger.lemma_.lower()
    named = ents
    ents = [e for e in ents if anchors[e] is not None]  # phrases owned by another entity take no part
    ti = trigger.i
    # the entities the trigger can take as arguments: not inside them, and governing their phrase (else no role)
    candidates = [e for e in ents if not (e.start <= ti < e.end) and may_attach(ti, anchors[e], reach)]
    for pred, status in preds.items():
        roles: dict[str, list[Span]] = {SUBJ: [], OBJ: [], OTHER: [], SUPPLIER: [], BETWEEN: []}
        for e in candidates:
            r = attachment(trigger, anchors[e], pred, rules, e.label_)
            if r:
                roles[r].append(e)
        direct_subj = [e for e in roles[SUBJ] if e.label_ in (COUNTRY, ORG)]
        if pred == "visits" and lemma != "visit":  # "jets flown by the RTAF's Wing 7": the wing flies, not travels
            roles[SUBJ] = [e for e in roles[SUBJ] if not (anchors[e].dep_ == "pobj" and anchors[e].head.dep_ == "agent")]
        if not roles[SUBJ] and trigger.dep_ == "appos":  # "Hanwha Defense, the maker of the K9"
            roles[SUBJ] = [e for e in ents if anchors[e] == trigger.head or e.root == trigger.head]
        if not roles[SUBJ] and trigger.dep_ == "attr":  # "Baykar is the maker of the TB2"
            roles[SUBJ] = [e for e in ents if anchors[e].head == trigger.head and anchors[e].dep_ == "nsubj"]
        if roles[SUBJ] and all(anchors[e].lemma_.lower() in rules.company_nouns and not anchors[e].ent_type_
                               and not (e.label_ == ORG and e.root.dep_ in ("compound", "nmod")) for e in roles[SUBJ]):
            # "the German firm builds": the firm named before, not the country describing it ("the Hezbollah terror
            # group fired": the group named)
            roles[SUBJ] = []
        if pred == "fights" and not roles[SUBJ] and trigger.pos_ == "NOUN" and context is not None:
            roles[SUBJ] = _possessive_fighter(trigger, ents, roles[OBJ] + roles[OTHER], context, rules)
        if not roles[SUBJ] and pred in ("procures", "considers_procuring", "fights"):
            roles[SUBJ] = _relative_group_members(trigger, ents, anchors, rules)
        if not roles[SUBJ]:
            roles[SUBJ] = _inherited_subjects(trigger, ents, anchors, rules, reach, pred)
        if not roles[SUBJ] and context is not None:
            roles[SUBJ] = _pronoun_subject(trigger, context, ents, rules)
        if not roles[OBJ] and context is not None and pred in ("manufactures", "procures", "considers_procuring"):
            it = [c for c in trigger.children if c.dep_ in ("nsubjpass", "dobj") and c.lower_ == "it"]
            # "Demand for HIMARS has surged since the US began supplying it to Ukraine": a system named before the
            # pronoun in the same sentence, for a procurement; else the last system that was a subject
            before = [e for e in ents if it and e.label_ == WEAPON_SYSTEM and e.end <= it[0].i] \
                if pred != "manufactures" else []
            if before:
                roles[OBJ] = [before[-1]]
            elif it and context.get(WEAPON_SYSTEM) is not None:  # "It was developed by IAI": the last system named
                roles[OBJ] = [context[WEAPON_SYSTEM]]
            elif pred != "manufactures":  # "Ukraine and Qatar also operate the aircraft": the one drone named before
                roles[OBJ] = procurement.class_anaphor(trigger, rules.class_nouns, rules.weapon_classes, index)
        if not roles[OBJ] and pred in ("procures", "considers_procuring") and any(
                c.dep_ == "dobj" and c.like_num and not c.ent_type_ in (WEAPON_SYSTEM,)
                and not any(g.dep_ == "prep" for g in c.children) for c in trigger.children):
            # "Kuwait began receiving the 28 Eurofighters it ordered, and Qatar has ordered 24": the one system
            # named before in the sentence
            before = {e.kb_id_: e for e in ents if e.label_ == WEAPON_SYSTEM and e.end <= trigger.i}
            roles[OBJ] = list(before.values()) if len(before) == 1 else []
        # "ANKA, produced by TUSAS": a participle hanging off the thing made
        if trigger.dep_ == "acl" and pred == "manufactures":
            # "Meteor missiles made by MBDA for its Rafale jets": a participle's thing made is the phrase it is on
            own = [e for e in ents if e.label_ == WEAPON_SYSTEM and (phrase_head(e) == trigger.head
                                                                    or e.root == trigger.head)]
            roles[OBJ] = own or roles[OBJ]
        if trigger.dep_ in ("acl", "relcl") and not roles[OBJ]:
            # "50 F-35A jets made by X, 18 MQ-9B drones built by Y": the phrase the participle hangs off, not the
            # phrases in apposition to it
            own = [e for e in ents if phrase_head(e) == trigger.head or e.root == trigger.head]
            roles[OBJ] = own or [e for e in ents if anchors[e] == trigger.head]
            described = trigger.head
            if not roles[OBJ] and described.dep_ in ("attr", "appos") and described.pos_ == "NOUN":
                # "the GCAP, the fighter that Britain is developing", "the Tempest is the fighter Britain develops"
                roles[OBJ] = [e for e in ents if e.label_ == WEAPON_SYSTEM and (
                    (described.dep_ == "appos" and phrase_head(e) == described.head) or
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
        if pred == "fights":
            if not roles[OBJ] and not roles[OTHER]:  # "help Kyiv fight off Russia's invasion": the invader
                roles[OTHER] = _fight_noun_parties(trigger, ents, rules)
            # "shot down an Indian Air Force MiG-21": the operator named in front of the system hit is fought
            hit = {w.start for w in roles[OBJ] if w.label_ == WEAPON_SYSTEM}
            roles[OTHER] += [e for e in named if e.end in hit and e.label_ in (COUNTRY, ORG)]
            if lemma in rules.fight_target_lemmas:  # "launched drones at Israel": only the target is fought
                heads = [trigger] + [c for c in trigger.children if c.dep_ == "dobj"]  # "used drones against X"
                roles[OTHER] = [e for e in ents if e.label_ in (COUNTRY, ORG) and anchors[e].dep_ == "pobj"
                                and anchors[e].head.lower_ in rules.fight_target_preps
                                and anchors[e].head.head in heads]
                roles[OBJ], roles[BETWEEN] = [], []
                if not roles[OTHER]:
                    continue
        if pred == "considers_procuring" and any(c.dep_ == "xcomp" and c.lemma_.lower() in rules.supplier | rules.offer
                                                 for c in trigger.children):
            continue  # "which the two companies plan to offer to Germany": who plans a sale sells
        if pred in ("procures", "considers_procuring") and lemma not in rules.supplier:
            # "flown by the RTAF's Wing 7": the armed force a unit belongs to operates what the unit flies
            roles[SUBJ] = unique_spans(roles[SUBJ] + [
                p for e in roles[SUBJ] if e.label_ == ORG for p in named if p.label_ == ORG
                and p.root.dep_ == "poss" and e.start <= p.root.head.i < e.end and is_armed_force(p, rules)])
            units = [g for c in trigger.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"
                     and g.pos_ == "PROPN" and not g.ent_type_ in (COUNTRY, ORG)]  # "by the IAF's 17 Squadron"
            roles[SUBJ] = unique_spans(roles[SUBJ] + [p for p in named if p.label_ == ORG and p.root.dep_ == "poss"
                                                      and p.root.head in units and is_armed_force(p, rules)])
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
            if trigger.pos_ == "NOUN" and lemma in rules.buyer_from_nouns and not direct_subj:
                # "the Rafale has enjoyed an export boom, with orders from India, Egypt and Qatar": who orders
                buyers = [e for e in roles[SUPPLIER] if e.label_ == COUNTRY or not is_company(e, rules)]
                if buyers:
                    verb = trigger.head.head if trigger.dep_ == "pobj" else trigger.head  # "has drawn orders"
                    roles[OBJ] = roles[OBJ] or [e for e in ents if e.label_ == WEAPON_SYSTEM and anchors[e].head == verb
                                                and anchors[e].dep_ in ("nsubj", "nsubjpass")]
                    roles[SUPPLIER] = [e for e in roles[SUPPLIER] if e not in buyers]
                    roles[SUBJ] = buyers
            own = any(c.dep_ == "dobj" and any(g.dep_ == "poss" and g.lower_ in ("its", "their", "his", "her")
                                               for g in c.children) for c in trigger.children)
            if lemma in rules.supplier and own and "deploys_to" in preds_of(lemma, rules):
                continue  # "the US would send its NMESIS to …": a deployment, no sale ("handed its MiG-29s to": one)
            # "the Spanish Air Force sent Eurofighters to Bulgaria": an air force deploys what it operates, sells nothing
            deploying = lemma in rules.supplier and "deploys_to" in preds_of(lemma, rules) and bool(roles[SUBJ]) and \
                all(e.label_ == ORG and is_armed_force(e, rules) for e in roles[SUBJ])
            if deploying:
                status_final = "operates"
            elif lemma in rules.supplier or (lemma in rules.handover and trigger.pos_ == "NOUN"):
                # "Türkiye sold drones to Ukraine", "deliveries of Typhoons to Kuwait": the receiver procures
                supplied = [e for e in procurement.with_parties([trigger], ents, anchors, rules.companion_words)
                            if e.label_ == WEAPON_SYSTEM]
                if supplied and lemma in rules.supplier:  # "MBDA will supply Egypt with its MICA NG missiles"
                    buyers = [o for o in roles[OBJ] if o.label_ in (COUNTRY, ORG)]
                    roles[OBJ] = unique_spans([o for o in roles[OBJ] if o.label_ == WEAPON_SYSTEM] + supplied)
                else:
                    buyers = []
                buyers = unique_spans(buyers + _receivers(trigger, roles[OBJ], ents, anchors, rules))
                if not buyers and lemma in rules.supplier and context is not None:
                    buyers = _dative_pronoun(trigger, ents, roles[SUBJ] + roles[SUPPLIER], context, rules)
                if buyers:
                    sellers = roles[SUBJ] + roles[SUPPLIER] + _seller_governors(trigger, ents, anchors, rules)
                    roles[SUPPLIER] = [e for e in unique_spans(sellers) if e.kb_id_ not in {b.kb_id_ for b in buyers}]
                    roles[SUBJ] = buyers
                elif lemma in rules.supplier and not rejected:
                    continue
            if under_intent(trigger, rules):
                pred_final, status_final = "considers_procuring", "considering"
            # "buy TB2 drones from Turkish defence company Baykar": a company that sells a system makes it
            for seller in roles[SUPPLIER]:
                if seller.label_ == ORG and is_company(seller, rules):
                    out += [Relation(seller, "manufactures", o, "maker:seller", trigger.text, sent, confidence=0.6)
                            for o in roles[OBJ]]
        if pred == "manufactures" and roles[SUBJ] and roles[OBJ]:
            # "the fighter Britain is developing with Italy and Japan", "co-produce the K9 with WB Group": partners
            heads = [trigger] + [anchors[o] for o in roles[OBJ] if anchors.get(o) is not None]
            partners = procurement.with_parties(heads, ents, anchors, rules.companion_words)
            roles[SUBJ] = unique_spans(roles[SUBJ] + [e for e in partners if e.label_ in (ORG, COUNTRY)])
        negated, cue = negation_of(trigger, roles[SUBJ] + roles[SUPPLIER] + actors, rules)
        hedged = is_hedged(trigger, rules)
        conf = 0.8 if trigger.pos_ in ("VERB", "AUX") else 0.65
        if pred_final in SYMMETRIC_PREDICATES:
            reciprocal = pred_final != "fights" or lemma in rules.reciprocal_fight_lemmas or \
                trigger.head.lemma_.lower() in rules.reciprocal_fight_lemmas  # "A and B exchanged fire"
            pairs = _symmetric_pairs(roles, reciprocal)
            if pred_final == "cooperates_with" and lemma in rules.contract_nouns:
                # "the agreement between Kuwait's Ministry of Defence and Baykar": a sale, not a partnership
                pairs = [(a, b) for a, b in pairs if is_maker(a, rules) == is_maker(b, rules)]
        else:
            pairs = [(s, o) for s in roles[SUBJ] for o in roles[OBJ]]
        # a date on the trigger's clause, or one the parser hung on its object ("sold drones … on Monday")
        objects_path = [t for _, o in pairs for t in path_to(anchors.get(o), trigger)]
        date = dates.statement_date(trigger, own_clause(trigger, rules) + objects_path, sent, published,
                                    index.date_spans(sent) if index is not None else None) if pairs else None
        procurement_pred = pred_final in ("procures", "considers_procuring")
        if procurement_pred and pairs:
            spine = spine_of(trigger, [anchors.get(o) for o in roles[OBJ]], rules)
            value = procurement.value_of(spine, sent, index.money_spans(sent) if index is not None else None)
            parties = roles[SUPPLIER] + procurement.sellers_named(spine, roles[OBJ], ents, anchors,
                                                                    rules.companion_words)
        # "A and B agreed to jointly develop a new launcher": co-makers cooperate whether or not the thing is named
        jointly = any(c.lower_ in rules.joint_adverbs for c in trigger.children)
        makers = unique_spans(roles[SUBJ]) if pred_final == "manufactures" and (pairs or jointly) else []
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


def _through_sale(trigger: Token, anchor: Token | None, ents, anchors, rules: Rules) -> bool:
    """The object is reached through a selling noun that speaks for itself: one with a receiver ("a deal for the
    sale of X to Y": Y procures) or one a seller approves ("the US approved the sale of F-16s"). A buyer's "contract
    for the supply of X" stays the buyer's."""
    for t in path_to(anchor, trigger):
        if t.pos_ == "NOUN" and t.lemma_.lower() in rules.supplier - rules.offer:
            if (t.head == trigger and trigger.lemma_.lower() in rules.seller_verbs) or \
                    _receivers(t, [o for o in ents if anchors.get(o) == anchor], ents, anchors, rules):
                return True
    return False


def _receivers(trigger: Token, objs: list[Span], ents, anchors, rules: Rules) -> list[Span]:
    """Who receives what a trigger sells or delivers: "to X" on the trigger, on the system sold ("the sale of
    F-16s to Türkiye"), or on the verb a selling noun is the object of ("approved the sale of F-16s to Türkiye")."""
    buyers = [e for e in ents if attachment(trigger, anchors[e], "deploys_to", rules) == OBJ
              and anchors[e].head.lower_ == "to"]
    where = [anchors.get(o) for o in objs if anchors.get(o) is not None]
    if trigger.pos_ == "NOUN" and trigger.dep_ in ("dobj", "nsubjpass", "nsubj") and trigger.head.pos_ == "VERB":
        where.append(trigger.head)
    buyers += procurement.to_parties(where, ents, anchors)
    return [b for b in unique_spans(buyers) if b.label_ in (COUNTRY, ORG)]


def _seller_governors(trigger: Token, ents, anchors, rules: Rules) -> list[Span]:
    """The subject of the verb a selling noun depends on, when that verb approves or concludes a sale: "the US
    approved the sale of …", "the sale … was approved by Congress"."""
    if trigger.pos_ != "NOUN" or trigger.dep_ not in ("dobj", "nsubjpass") or trigger.head.lemma_.lower() not in \
            rules.seller_verbs:
        return []
    verb = trigger.head
    return [e for e in ents if anchors[e] is not None and attachment(verb, anchors[e], "", rules, e.label_) == SUBJ]


def _symmetric_pairs(roles: dict[str, list[Span]], reciprocal: bool = True) -> list[tuple[Span, Span]]:
    """"cooperation between A and B" (and "X, a joint venture between A and B": X is no member) pairs A with B;
    "A met B and C" pairs A with each; "A and B signed a pact" pairs the coordinated subjects (only when
    `reciprocal`: "the US and the UK launched strikes" are no enemies)."""
    def within(spans):
        spans = unique_spans(spans)
        return [(a, b) for i, a in enumerate(spans) for b in spans[i + 1 :]]

    if len(roles[BETWEEN]) >= 2:
        return within(roles[BETWEEN])
    others = unique_spans(roles[OBJ] + roles[OTHER] + roles[BETWEEN])
    if roles[SUBJ] and others:
        return [(s, o) for s in unique_spans(roles[SUBJ]) for o in others]
    return within(roles[SUBJ]) if reciprocal else []


def _relative_group_members(trigger: Token, ents: list[Span], anchors: dict, rules: Rules) -> list[Span]:
    """A group noun on the subject side acts through the members it names: "other countries that fly the F-35,
    including Japan, South Korea and Australia", "it is flown by many air forces, including Chile"; or through the
    subject it is said of: "Israel is the only country in the region that flies the F-35"."""
    nouns = [c for c in trigger.children if c.dep_ == "nsubj"]
    nouns += [g for c in trigger.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
    relative = trigger.dep_ == "relcl" and any(c.dep_ in ("nsubj", "nsubjpass") and c.lower_ in rules.relative_pronouns
                                               for c in trigger.children)
    if relative:
        nouns = [trigger.head]
    nouns = [n for n in nouns if n.lemma_.lower() in rules.group_nouns and not n.ent_type_]
    members = [e for e in ents if e.label_ in (COUNTRY, ORG) and anchors[e].dep_ == "pobj"
               and anchors[e].head.lower_ in rules.member_preps and anchors[e].head.head in nouns]
    if not members and relative and nouns and nouns[0].dep_ == "attr":  # "X is the only country that …"
        members = [e for e in ents if e.label_ in (COUNTRY, ORG) and anchors[e].dep_ == "nsubj"
                   and anchors[e].head == nouns[0].head]
    return members


def _dative_pronoun(trigger: Token, ents: list[Span], sellers: list[Span], context: dict, rules: Rules) -> list[Span]:
    """"Armenia … has turned to India, which has reportedly sold it Pinaka launchers": a pronoun receiver is the last
    country or organisation that was a subject before it (not the seller)."""
    pron = next((c for c in trigger.children if c.dep_ == "dative" and c.lower_ in rules.pronouns
                 and rules.pronouns[c.lower_] == PRONOUN_KIND[COUNTRY]), None)
    if pron is None:
        return []
    not_ids = {e.kb_id_ for e in sellers}
    same = [e for e in ents if e.end <= pron.i and is_subject(e) and e.label_ in (COUNTRY, ORG)
            and e.kb_id_ not in not_ids]
    ante = same[-1] if same else context.get(PRONOUN_KIND[COUNTRY])
    return [ante] if ante is not None and ante.kb_id_ not in not_ids else []


def _possessive_fighter(trigger: Token, ents: list[Span], others: list[Span], context: dict, rules: Rules
                        ) -> list[Span]:
    """"Russia is seeking shells … drained by its war in Ukraine", "Moscow has kept up its missile strikes on …": a
    possessive pronoun on a fights noun (or on its modifier) is the last country or organisation that was a subject
    before it, in the sentence or before; never the party fought."""
    near = [trigger] + [c for c in trigger.children if c.dep_ in ("nmod", "compound", "amod")]
    poss = next((c for t in near for c in t.children if c.dep_ == "poss" and c.lower_ in rules.fight_possessives),
                None)
    if poss is None:
        return []
    fought = {e.kb_id_ for e in others}
    same = [e for e in ents if e.end <= poss.i and is_subject(e) and e.label_ in (COUNTRY, ORG)
            and e.kb_id_ not in fought]
    ante = same[-1] if same else context.get(PRONOUN_KIND[COUNTRY])
    return [ante] if ante is not None and ante.kb_id_ not in fought else []


def _fight_noun_parties(trigger: Token, ents: list[Span], rules: Rules) -> list[Span]:
    """The possessor of a fights noun a fights trigger takes as its object: "to help Kyiv fight off Russia's
    invasion", "defended itself against Russia's attacks"."""
    nouns = [c for c in trigger.children if c.dep_ == "dobj"]
    nouns += [g for c in trigger.children if (c.dep_ == "prep" and c.lower_ in rules.fight_target_preps)
              or c.dep_ == "prt" for g in c.children if g.dep_ == "pobj"]  # ("fight off" parsed as a preposition)
    nouns = [n for n in nouns if "fights" in preds_of(n.lemma_.lower(), rules)]
    return [e for e in ents if e.label_ in (COUNTRY, ORG) and e.root.dep_ == "poss" and e.root.head in nouns]
