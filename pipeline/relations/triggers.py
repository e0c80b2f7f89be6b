"""Trigger relations: a trigger word (verb or noun) of `rules.yaml` and the entities attached to it, on the subject
side (nsubj, agent, possessive, inherited through xcomp/conj, a pronoun's antecedent) and the object side (dobj,
passive subject, "of/for/to" objects, reached through bridge nouns such as "contract" or "drones").

Selling words ("Türkiye sold X to Ukraine", "the sale of F-16s to Türkiye", "deliveries of X to Kuwait") make the
receiver the subject of procures and the seller its supplier, never a buyer; an offer is no procurement.
Procurement statements carry their details (`procurement`), every statement the day it gives (`dates`).
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

from ..labels import COUNTRY, LOCATION, ORG, PERSON, SYMMETRIC_PREDICATES, WEAPON_SYSTEM
from . import dates, procurement
from .relation import EntityIndex, Relation
from .rules import COMPANY, PRONOUN_KIND, Rules, is_armed_force, is_company, is_maker
from .syntax import (
    BETWEEN, OBJ, OTHER, SUBJ, SUPPLIER, attachment, clause_heads, is_hedged, is_subject, may_attach,
    modifies, negation_of, own_clause, path_to, phrase_head, spine_of, under_intent, unique_spans,
)


def _inherited_subjects(trigger: Token, ents: list[Span], anchors: dict, rules: Rules, reach=None,
                        pred: str = "") -> list[Span]:
    """Subjects a trigger takes from the clause it hangs off ("Türkiye is willing to deploy", "a delegation from X
    is expected to visit"); a buying word takes none from a selling clause ("Dassault has sold the jet to Qatar, and
    … signed for 18 of the aircraft": the seller buys nothing)."""
    buying = pred in ("procures", "considers_procuring") and trigger.lemma_.lower() not in rules.supplier
    if trigger.dep_ in ("ccomp", "parataxis") and _passive(trigger):
        return []  # "Kyiv says North Korean troops have been sent to Kursk": the sayer sent nobody
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


def _passive(t: Token) -> bool:
    return any(c.dep_ in ("auxpass", "nsubjpass") for c in t.children)


def _pronoun_subject(trigger: Token, context: dict[str, Span], ents: list[Span], rules: Rules,
                     pred: str = "") -> list[Span]:
    """"He added…", "It took delivery of…": a pronoun subject is the last subject of its kind, earlier in the same
    sentence if there is one ("Poland could buy X, in addition to the HIMARS it has requested"), else before. The
    passive subject of a deployment is what is deployed ("Sanya, where it is based"), not who deploys it, and a thing
    flown somewhere is no visitor ("where they will be flown")."""
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
                if c.dep_ == "nsubjpass" and (pred == "deploys_to" or (pred == "visits" and kind != PERSON)):
                    return []
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
    if lemma in rules.presence_verbs and (trigger.dep_ in ("aux", "auxpass") or any(
            c.dep_ in ("acomp", "attr", "xcomp", "ccomp", "oprd") for c in trigger.children)):
        return out  # "is expected", "is the largest", "is keen to": no presence
    for pred, status in preds.items():
        if trigger.pos_ != "VERB" and lemma in rules.verb_only.get(pred, ()) and not any(
                c.dep_ in ("dobj", "nsubj", "nsubjpass", "auxpass", "aux") for c in trigger.children):
            continue  # "Denmark's Skrydstrup air base", "Israeli positions on the Golan Heights": no deployment
            # (a word with a verb's dependents is one: "The US stations troops in", tagged as a noun)
        if lemma in rules.object_verbs.get(pred, ()) and not any(c.dep_ == "dobj" for c in trigger.children):
            continue  # "will keep the jets in the US" deploys them; "kept in touch" does not
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
        if pred == "manufactures":  # "built by Embraer and its American partner, SNC": the adjective describes
            roles[SUBJ] = [e for e in roles[SUBJ] if not (
                e.label_ == COUNTRY and e.root.dep_ == "amod" and e.root.head.pos_ == "NOUN"
                and e.root.head.lemma_.lower() in rules.partner_nouns | rules.company_nouns)]
        if not roles[SUBJ] and pred == "manufactures" and trigger.dep_ == "relcl" and trigger.head.dep_ == "appos" \
                and trigger.head.lemma_.lower() in rules.company_nouns \
                and any(c.dep_ == "nsubj" and c.lower_ in rules.relative_pronouns for c in trigger.children):
            # "KNDS France, the company that builds the CAESAR": the company named before the apposition
            start = min(t.i for t in trigger.head.subtree)
            roles[SUBJ] = [e for e in ents if e.label_ == ORG and e.end in (start, start - 1)]
        if not roles[SUBJ] and pred == "deploys_to":  # "Czech Gripens have been deployed", "RAF jets based at X"
            # (a premodifier of a named system has no phrase of its own: all the sentence's entities)
            roles[SUBJ] = _owners_of_deployed(trigger, index.sentence_ents(sent) if index is not None else ents)
        if pred == "fights" and not roles[SUBJ] and trigger.pos_ == "NOUN" and context is not None:
            roles[SUBJ] = _possessive_fighter(trigger, ents, roles[OBJ] + roles[OTHER], context, rules)
        if not roles[SUBJ] and pred in ("procures", "considers_procuring", "fights"):
            roles[SUBJ] = _relative_group_members(trigger, ents, anchors, rules)
        if not roles[SUBJ]:
            roles[SUBJ] = _inherited_subjects(trigger, ents, anchors, rules, reach, pred)
        if not roles[SUBJ] and context is not None:
            roles[SUBJ] = _pronoun_subject(trigger, context, ents, rules, pred)
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
            else:  # "the jet is built by a consortium of …", "the company that produces the missile": a class
                # noun, the one system named before
                for c in trigger.children:
                    if c.dep_ in ("nsubjpass", "dobj") and not roles[OBJ]:
                        roles[OBJ] = procurement.class_referent(c, rules.class_nouns, rules.weapon_classes,
                                                                index) or []
        if not roles[OBJ] and pred == "manufactures":
            # "agreed to jointly develop a truck-mounted rocket launcher, the Global Mobile Artillery Rocket System":
            # a class noun object and the system named in apposition right after it (the parser may lose the link)
            doc = trigger.doc
            for c in trigger.children:
                if c.dep_ == "dobj" and c.lemma_.lower() in rules.class_nouns and c.i + 2 < len(doc) \
                        and doc[c.i + 1].text == ",":
                    at = c.i + 3 if doc[c.i + 2].lower_ in ("the", "a", "an") else c.i + 2
                    roles[OBJ] = [e for e in ents if e.label_ == WEAPON_SYSTEM and e.start == at]
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
            on = _nearest_phrase(trigger)
            own = [e for e in ents if e.label_ == WEAPON_SYSTEM and (phrase_head(e) == on or e.root == on
                                                                    or modifies(e, on))]
            roles[OBJ] = own or roles[OBJ]
        if trigger.dep_ == "advcl" and trigger.tag_ == "VBN" and pred == "manufactures" and not roles[OBJ] \
                and any(c.dep_ == "agent" for c in trigger.children) \
                and not any(c.dep_ in ("nsubj", "nsubjpass") for c in trigger.children):
            # "the JF-17 Thunder, jointly developed by CAC and PAC", "Built by X, the Fujian is …": a participle
            # set off by a comma describes the system its clause is about
            said = [c for c in trigger.head.children if c.dep_ in ("attr", "dobj", "nsubj", "nsubjpass")]
            roles[OBJ] = [e for e in ents if e.label_ == WEAPON_SYSTEM and any(
                anchors[e] == c or e.root == c for c in said)]
        rel = trigger
        if rel.dep_ in ("acl", "relcl") and not roles[OBJ]:
            # "50 F-35A jets made by X, 18 MQ-9B drones built by Y": the phrase the participle hangs off, not the
            # phrases in apposition to it
            described = _nearest_phrase(rel)
            own = [e for e in ents if phrase_head(e) == described or e.root == described]
            roles[OBJ] = own or [e for e in ents if anchors[e] == described]
            described = rel.head
            if described.dep_ == "pobj" and described.head.lower_ == "of" and described.head.head.pos_ == "NOUN" \
                    and described.head.head.lemma_.lower() in rules.bridge:
                described = described.head.head  # "the Gripen E/F, the newest version of the fighter built by Saab"
            if not roles[OBJ] and described.dep_ in ("attr", "appos") and described.pos_ == "NOUN":
                # "the GCAP, the fighter that Britain is developing", "the Tempest is the fighter Britain develops"
                start = min(t.i for t in described.subtree)
                roles[OBJ] = [e for e in ents if e.label_ == WEAPON_SYSTEM and (
                    (described.dep_ == "appos" and (phrase_head(e) == described.head or (
                        e.end == start - 1 and e.doc[e.end].text == ","))) or
                    (described.dep_ == "attr" and e.root.head == described.head and e.root.dep_ == "nsubj"))]
            if not roles[OBJ] and pred == "manufactures":  # "The helicopters, built by Boeing, …": the one named
                roles[OBJ] = procurement.class_referent(rel.head, rules.class_nouns, rules.weapon_classes,
                                                        index) or []
                if not roles[OBJ]:  # "The first six jets, built by CAC, …": numbers on the class noun
                    roles[OBJ] = numbered_class_referent(rel.head, rules, index)
        if pred in ("visits", "deploys_to"):  # "deployed on missions to Lithuania", "at the Sixth Air Brigade in Tandil"
            roles[OBJ] = unique_spans(roles[OBJ] + _places_through(trigger, ents, anchors, pred, rules))
            # "designated F-39E in Brazilian service": a country adjective on a noun that is no place is no place
            roles[OBJ] = [o for o in roles[OBJ] if not _adjective_on(o, anchors[o], rules.place_nouns)]
            # "travelled to Denmark's Skrydstrup air base": the country that has the place too
            roles[OBJ] += [e for e in ents if e.label_ == COUNTRY and e.root.dep_ == "poss" and e not in roles[OBJ]
                           and any(anchors[o] == e.root.head for o in roles[OBJ] if o.label_ == LOCATION)]
        if pred == "meets" and lemma in rules.host_lemmas:  # "Poland hosts American troops": no meeting
            roles[OBJ] = [o for o in roles[OBJ] if not (o.root.dep_ in ("amod", "compound", "nmod", "poss")
                                                        and _troop_noun(anchors[o], rules))]
        if pred == "meets":  # "what he called Thai aggression": a country adjective on a thing is no party
            people = rules.subject_bridge | rules.role_heads  # "met Turkish officials", "the Turkish president"
            roles[OTHER] = [o for o in roles[OTHER] if not _adjective_on(o, anchors[o], people, True)]
            roles[OBJ] = [o for o in roles[OBJ] if not _adjective_on(o, anchors[o], people, True)]
        if pred == "visits" and lemma not in rules.visit_objects:
            # "flew to Ushuaia": a travel verb's place is a preposition's; "the Aurora, which the RCAF has flown" is none
            roles[OBJ] = [o for o in roles[OBJ] if not (anchors[o].head == trigger and anchors[o].dep_ == "dobj")
                          and not (trigger.dep_ in ("acl", "relcl") and (anchors[o] == trigger.head
                                                                         or phrase_head(o) == trigger.head))]
        if pred in ("visits", "deploys_to") and not roles[OBJ]:  # "Skrydstrup air base, where he had arrived"
            where = _where_clause(trigger, rules)
            if where is not None:
                place = where.head
                if place.dep_ == "pobj" and place.head.lower_ == "in" and any(
                        e.label_ in (COUNTRY, LOCATION) and anchors[e] == place.head.head for e in ents):
                    place = place.head.head  # "the Skrydstrup air base in southern Jutland, where": the base
                roles[OBJ] = [e for e in ents if e.label_ in (COUNTRY, LOCATION)
                              and (anchors[e] == place or phrase_head(e) == place)]
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
        if pred == "meets" and roles[SUBJ] and not (roles[OBJ] or roles[OTHER] or roles[BETWEEN]) \
                and context is not None:  # "Sir Keir is due to hold talks with him": the other one named before
            roles[OTHER] = _pronoun_party(trigger, roles[SUBJ], context, ents, rules)
        if lemma in rules.presence_verbs:  # "Papikyan, who is in Paris for the exhibition": a person there visits it
            roles[SUBJ] = [e for e in roles[SUBJ] if e.label_ == PERSON]
            roles[OBJ] = [o for o in roles[OBJ] if anchors[o].dep_ == "pobj" and anchors[o].head.head == trigger
                          and anchors[o].head.lower_ in ("in", "at")]
        if pred in ("visits", "deploys_to") and not roles[OBJ] and index is not None:
            roles[OBJ] = _named_place(trigger, pred, rules, index)  # "Putin flew to the cosmodrome": the one named
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
        if pred == "meets" and lemma in rules.host_lemmas:
            out += _hosted(trigger, roles, index.sentence_ents(sent) if index is not None else ents, anchors, sent,
                           rules)
        envoys = [o for o in roles[OBJ] if o.label_ == PERSON] if pred == "deploys_to" else []
        if envoys:  # "IGAD would send Ruto and Kiir to Khartoum": the people sent visit the place, nobody deploys
            negated, cue = negation_of(trigger, roles[SUBJ], rules)
            out += [Relation(p, "visits", o, "trigger:envoy", trigger.text, sent, negated, cue,
                             is_hedged(trigger, rules), confidence=0.7)
                    for p in envoys for o in roles[OBJ] if o.label_ in (COUNTRY, LOCATION)]
            continue
        if pred == "deploys_to" and not any(s.label_ in (COUNTRY, ORG) for s in roles[SUBJ]) and roles[OBJ] \
                and _passive(trigger):
            # "The Rafales are likely to be based at X", "They are expected to be based at X": the system named is
            # deployed by whoever procures it (`deployed_systems`, once the document's relations are known)
            systems = _deployed_system(trigger, ents, anchors, rules, index)
            negated, cue = negation_of(trigger, [], rules)
            out += [Relation(w, "deploys_to", o, DEPLOYED_SYSTEM, trigger.text, sent, negated, cue,
                             is_hedged(trigger, rules), confidence=0.6)
                    for w in systems for o in roles[OBJ] if o.label_ in (COUNTRY, LOCATION)]
            continue
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
        if negated and pred == "manufactures" and trigger.dep_ == "acl" and \
                not any(c.text == cue for c in trigger.children):
            negated, cue = False, None  # "rejecting the SAMP/T made by Eurosam": Eurosam still makes it
        hedged = is_hedged(trigger, rules)
        conf = 0.8 if trigger.pos_ in ("VERB", "AUX") else 0.65
        if pred == "cooperates_with" and trigger.pos_ == "NOUN" and not roles[OTHER] and not roles[BETWEEN]:
            # "signed a memorandum on critical raw materials with the European Union": the parser hangs the other
            # party on the topic of the agreement
            topics = [g for c in trigger.children if c.dep_ == "prep" and c.lower_ in ("on", "about", "over")
                      for g in c.children if g.dep_ == "pobj"]
            roles[OTHER] = [e for e in ents if e.label_ in (COUNTRY, ORG) and anchors.get(e) is not None
                            and anchors[e].dep_ == "pobj" and anchors[e].head.lower_ == "with"
                            and anchors[e].head.head in topics]
        if pred == "cooperates_with" and trigger.pos_ == "NOUN" and lemma in rules.partner_nouns:
            roles = _partner_roles(trigger, roles, ents, anchors, rules, reach, context)
        if pred == "cooperates_with" and lemma in rules.member_nouns and not roles[BETWEEN] and (
                not roles[SUBJ] or trigger.dep_ == "appos" and all(e.root == trigger.head for e in roles[SUBJ])):
            # "kta naval systems, a joint venture of Kongsberg, TKMS and Atlas Elektronik": the members cooperate
            # (the venture named in front is none of them)
            of = [g for c in trigger.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children
                  if g.dep_ == "pobj"]
            members = [e for e in roles[OTHER] if anchors.get(e) in of and e.label_ in (COUNTRY, ORG)]
            if len(members) >= 2:
                roles[SUBJ], roles[BETWEEN] = [], members
        if pred_final in SYMMETRIC_PREDICATES:
            reciprocal = pred_final != "fights" or lemma in rules.reciprocal_fight_lemmas or \
                trigger.head.lemma_.lower() in rules.reciprocal_fight_lemmas  # "A and B exchanged fire"
            pairs = _symmetric_pairs(roles, reciprocal)
            if pred_final == "meets" and _passive(trigger) and not (roles[OBJ] or roles[OTHER] or roles[BETWEEN]):
                pairs = []  # "They were received by the minister and the air chief": the two did not meet
            if pred_final == "meets" and any(c.dep_ == "amod" and c.lower_ in rules.joint_words
                                             for c in trigger.children):
                # "a joint call with A and B": everyone on it spoke with everyone
                others = unique_spans(roles[OBJ] + roles[OTHER])
                pairs += [(a, b) for i, a in enumerate(others) for b in others[i + 1 :]]
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
        jointly = any(c.lower_ in rules.joint_adverbs for c in trigger.children) or any(
            c.dep_ == "agent" and any(g.dep_ == "pobj" and g.lemma_.lower() in rules.member_nouns for g in c.children)
            for c in trigger.children)  # "built by a consortium of A, B and C": the members cooperate
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


def _hosted(trigger: Token, roles: dict[str, list[Span]], sent_ents: list[Span], anchors: dict, sent,
            rules: Rules) -> list[Relation]:
    """What hosting states besides the meeting: the guest visits the place of the hosting ("hosted Bennett at his
    palace in Abu Dhabi"), and troops a country hosts are that country's deployment ("Kuwait, which hosts thousands
    of US troops")."""
    out = []
    guests = [o for o in roles[OBJ] + roles[OTHER] if o.label_ == PERSON and anchors.get(o) is not None
              and anchors[o].dep_ == "dobj" and anchors[o].head == trigger]
    places = [e for e in sent_ents if e.label_ in (COUNTRY, LOCATION) and anchors.get(e) is not None
              and anchors[e].dep_ == "pobj" and anchors[e].head.lower_ in ("at", "in")
              and anchors[e].head.head == trigger]
    places += _places_through(trigger, [e for e in sent_ents if anchors.get(e) is not None], anchors, "visits", rules)
    negated, cue = negation_of(trigger, roles[SUBJ], rules)
    hedged = is_hedged(trigger, rules)
    out += [Relation(g, "visits", p, "trigger:hosted", trigger.text, sent, negated, cue, hedged, confidence=0.65)
            for g in guests for p in unique_spans(places)]
    hosts = [s for s in roles[SUBJ] if s.label_ in (COUNTRY, LOCATION)]
    for t in trigger.children:
        if t.dep_ != "dobj":
            continue
        troops = [t] + [g for c in t.children if c.dep_ == "prep" and c.lower_ == "of"
                        for g in c.children if g.dep_ == "pobj"]  # "thousands of US troops"
        for noun in troops:
            if not _troop_noun(noun, rules):
                continue
            owners = [e for e in sent_ents if e.label_ in (COUNTRY, ORG) and e.root.head == noun
                      and e.root.dep_ in ("amod", "compound", "poss", "nmod")]
            out += [Relation(o, "deploys_to", h, "trigger:hosted", trigger.text, sent, negated, cue, hedged,
                             confidence=0.65) for o in owners for h in hosts if o.kb_id_ != h.kb_id_]
    return out


def _pronoun_party(trigger: Token, subjects: list[Span], context: dict[str, Span], ents: list[Span],
                   rules: Rules) -> list[Span]:
    """The other party of a meeting as an object pronoun ("met him", "talks with her"): the last person that was a
    subject, in this sentence before the pronoun or else before it, who is not the subject itself."""
    words = [c for c in trigger.children if c.dep_ == "dobj"]
    words += [g for c in trigger.children if c.dep_ == "prep" and c.lower_ in rules.object_preps["meets"]
              for g in c.children if g.dep_ == "pobj"]
    own = {s.kb_id_ for s in subjects}
    for w in words:
        kind = rules.object_pronouns.get(w.lower_)
        if kind is None:
            continue
        same = [e for e in ents if e.end <= w.i and is_subject(e) and PRONOUN_KIND.get(e.label_) == kind
                and e.kb_id_ not in own]
        ante = same[-1] if same else context.get(kind)
        return [ante] if ante is not None and ante.kb_id_ not in own else []
    return []


def _troop_noun(t: Token, rules: Rules) -> bool:
    return (t.lemma_.lower() in rules.subject_bridge or t.lower_ in rules.subject_bridge) and not t.ent_type_ \
        and t.pos_ == "NOUN"


def _adjective_on(e: Span, anchor: Token | None, nouns: frozenset[str], compound: bool = False) -> bool:
    """The entity is an adjective (or, with `compound`, any modifier) on a common noun outside `nouns`: "Brazilian
    service", "Thai aggression"."""
    root = e.root
    modifier = root.dep_ == "amod" and root.pos_ == "ADJ" or compound and root.dep_ in ("amod", "compound")
    return anchor is not None and modifier and anchor != root \
        and not anchor.ent_type_ and anchor.pos_ == "NOUN" and anchor.lemma_.lower() not in nouns \
        and anchor.lower_ not in nouns


def _named_place(trigger: Token, pred: str, rules: Rules, index: EntityIndex) -> list[Span]:
    """A definite common noun as the place ("flew to the cosmodrome", "returned to the base") is the last place named
    shortly before whose name ends in that noun ("the Vostochny Cosmodrome", "Ramstein Air Base")."""
    preps = rules.object_preps.get(pred, rules.object_preps["default"]) - {"of", "for", "on", "from"}
    for p in trigger.children:
        if p.dep_ not in ("prep", "dative") or p.lower_ not in preps:
            continue
        for n in p.children:
            if n.dep_ != "pobj" or n.pos_ != "NOUN" or n.ent_type_ or not any(
                    d.dep_ == "det" and d.lower_ == "the" for d in n.children) or any(
                    c.dep_ in ("prep", "compound", "amod") and c.ent_type_ for c in n.children):
                continue
            places, starts, _ = index.labelled(LOCATION)
            before = [e for e, s in zip(places, starts) if n.i - procurement.ANAPHOR_WINDOW <= s and e.end <= n.i
                      and e[-1].lemma_.lower() == n.lemma_.lower()]
            if before:
                return [before[-1]]
    return []


def _governed(t: Token, trigger: Token) -> bool:
    """`t` is (coordinated with) the trigger's object: a direct object or a preposition's object of the trigger."""
    for _ in range(6):
        if t.dep_ == "conj" and t.head == trigger:
            return t.pos_ in ("NOUN", "PROPN")  # "sent 300 troops to A and 200 soldiers to B"
        if t.dep_ == "conj" and t.head != t:
            t = t.head
        elif t.dep_ == "dobj":
            return t.head == trigger
        elif t.dep_ == "pobj":
            return t.head.head == trigger
        else:
            return False
    return False


def _where_clause(trigger: Token, rules: Rules) -> Token | None:
    """The "where" relative clause the trigger heads or is the noun of ("where he held talks"), if any."""
    t = trigger
    if t.dep_ in ("dobj", "attr") and t.head.lemma_.lower() in rules.light_verbs:
        t = t.head
    if t.dep_ == "relcl" and any(c.dep_ == "advmod" and c.lower_ == "where" for c in t.children):
        return t
    return None


def _owners_of_deployed(trigger: Token, ents: list[Span]) -> list[Span]:
    """Who deploys what a passive deployment names, or what a deployment participle describes: the country or force
    that premodifies it ("Czech Gripens have been deployed to", "North Korean troops have been sent to", "Royal Air
    Force Typhoon jets based at") or follows it with "of/from" ("troops from Egypt were sent to")."""
    things = [c for c in trigger.children if c.dep_ == "nsubjpass"]
    if trigger.dep_ == "acl" and trigger.tag_ == "VBN":
        things.append(trigger.head)
    out = []
    for t in things:
        for e in ents:
            if e.label_ not in (COUNTRY, ORG) or e.start <= t.i < e.end and e.root == t:
                continue
            r = e.root
            if r.dep_ in ("amod", "compound", "poss", "nmod"):
                h = r.head
                for _ in range(3):
                    if h == t:
                        out.append(e)
                        break
                    if h.dep_ not in ("compound", "amod", "nmod") or h.head.pos_ not in ("NOUN", "PROPN"):
                        break
                    h = h.head
            elif r.dep_ == "pobj" and r.head.lower_ in ("of", "from") and r.head.head == t:
                out.append(e)
    return unique_spans(out)


def _places_through(trigger: Token, ents: list[Span], anchors: dict, pred: str, rules: Rules) -> list[Span]:
    """A place one noun further: "deployed on missions to Lithuania", "stations troops in South Korea", "station the jets at the Sixth Air Brigade in
    Tandil", "hosted at his palace in Abu Dhabi", "moved forces to the town of Merowe" ("of" only after a place noun).
    Not the region around a place already named ("at the Vostochny Cosmodrome in the Amur region")."""
    preps = rules.object_preps.get(pred, rules.object_preps["default"])
    out = []
    for e in ents:
        a = anchors[e]
        if e.label_ not in (COUNTRY, LOCATION) or a is None or a.dep_ not in ("pobj", "conj"):
            continue
        while a.dep_ == "conj" and a.head != a:  # "to Lithuania and Iceland"
            a = a.head
        p2, n = a.head, a.head.head
        if pred == "deploys_to" and a.dep_ == "pobj" and p2.lower_ in ("in", "to", "into", "at") \
                and n.dep_ == "dobj" and n.head == trigger and n.pos_ == "NOUN":
            out.append(e)  # "will station a brigade in Lithuania": the place of what is deployed
            continue
        if pred == "deploys_to" and a.dep_ == "pobj" and p2.lower_ in ("in", "to", "at") and n.dep_ == "conj" \
                and (n.ent_type_ == WEAPON_SYSTEM or n.lemma_.lower() in rules.bridge or _troop_noun(n, rules)) \
                and _governed(n, trigger):
            out.append(e)  # "stations F-16s at A and F-15s at B": the second pair, gapped, hangs off the first
            continue
        if a.dep_ != "pobj" or p2.dep_ != "prep" or n.dep_ != "pobj" or n.head.dep_ not in ("prep", "dative") \
                or n.head.head != trigger or n.head.lower_ not in preps:
            continue
        if p2.lower_ == "of" and n.lemma_.lower() not in rules.place_nouns:
            continue
        if p2.lower_ not in ("of", "to", "in", "into"):
            continue
        if p2.lower_ == "of":  # "to the southern Ukrainian port of Odesa": the place named
            out.append(e)
            continue
        if any(x.label_ in (COUNTRY, LOCATION) and (anchors[x] == n or x.start <= n.i < x.end) for x in ents):
            continue
        out.append(e)
    return out


DEPLOYED_SYSTEM = "trigger:deployed-system"


def foreign_capital_visits(doc, index: EntityIndex, found: list[Relation], rules: Rules) -> list[Relation]:
    """A person with a role for one country who does something in another country's capital is visiting it:
    "Pistorius and his Israeli counterpart Gallant signed a letter at a ceremony in Berlin" (Gallant visits Berlin,
    Pistorius is at home), "the letter Petri and Poulsen signed in Buenos Aires". The capitals are the registry's."""
    if not rules.capitals:
        return []
    home: dict[str, set[str]] = {}
    for r in found:
        if r.predicate == "holds_role" and r.object.label_ == COUNTRY and not r.negated:
            home.setdefault(r.subject.kb_id_, set()).add(r.object.kb_id_)
    out = []
    for sent in doc.sents:
        ents = index.sentence_ents(sent)
        places = {e.root.i: e for e in ents if e.label_ == LOCATION}
        for e in ents:
            if e.label_ != PERSON or e.kb_id_ not in home:
                continue
            root = e.root  # (also "A and his counterpart B signed": B in apposition to a coordinated subject)
            while root.dep_ in ("conj", "appos") and root.head != root:
                root = root.head
            if root.dep_ not in ("nsubj", "nsubjpass"):
                continue
            verb = root.head
            # the verb's own "in/at" places, and those on its object ("held talks at a resort in X")
            heads = [verb] + [c for c in verb.children if c.dep_ == "dobj"]
            # "Speaking in Kuala Lumpur on Wednesday, Blinken said": a participle clause of speaking on the verb
            heads += [c for c in verb.children if c.dep_ == "advcl" and c.tag_ == "VBG"
                      and c.lemma_.lower() in rules.speaking_verbs]
            objs = [g for h in heads for p in h.children if p.dep_ == "prep" and p.lower_ in ("in", "at")
                    for g in p.children if g.dep_ == "pobj"]
            objs += [g for o in objs for p in o.children if p.dep_ == "prep" and p.lower_ == "in"
                     for g in p.children if g.dep_ == "pobj"]  # "at a ceremony in Berlin"
            for o in objs:
                place = places.get(o.i)
                if place is None:
                    continue
                country = rules.capitals.get(" ".join(place.text.casefold().replace("-", " ").split()))
                owner = next((c for c in ents if c.label_ == COUNTRY and c.root.dep_ == "poss"
                              and c.root.head == place.root), None)  # "a space centre in Russia's Far East"
                if owner is not None:
                    country = owner.kb_id_
                if country is not None and country not in home[e.kb_id_]:
                    out.append(Relation(e, "visits", place, "trigger:foreign-capital", verb.text, sent,
                                        confidence=0.55))
                    if owner is not None:
                        out.append(Relation(e, "visits", owner, "trigger:foreign-capital", verb.text, sent,
                                            confidence=0.55))
    return out


def _deployed_system(trigger: Token, ents: list[Span], anchors: dict, rules: Rules, index) -> list[Span]:
    """The system a passive deployment's subject names: the system itself ("The Rafales are likely to be based"), a
    definite class noun ("The aircraft will be stationed"), or a pronoun for the one system named shortly before
    ("They are expected to be based"), also as the subject of a raising verb ("are likely to be based")."""
    heads, t = [trigger], trigger
    while t.dep_ in ("xcomp", "acomp") and t.head != t and len(heads) < 4:
        t = t.head
        heads.append(t)
    for c in (c for h in heads for c in h.children):
        if c.dep_ not in ("nsubjpass", "nsubj"):
            continue
        own = [e for e in ents if e.label_ == WEAPON_SYSTEM and (anchors[e] == c or e.root == c)]
        if own:
            return own
        if c.lower_ in rules.plural_pronouns and index is not None:  # ("it" may be the base, the ship)
            weapons, starts, ends = index.labelled(WEAPON_SYSTEM)
            before = [w for w, s in zip(weapons, starts) if c.i - procurement.ANAPHOR_WINDOW <= s and w.end <= c.i]
            return [before[-1]] if before and len({w.kb_id_ for w in before[-3:]}) == 1 else []
        return procurement.class_referent(c, rules.class_nouns, rules.weapon_classes, index) or []
    return []


def deployed_systems(found: list[Relation]) -> list[Relation]:
    """A deployment whose subject is the system deployed (`_deployed_system`) is the deployment of the last one
    named before as procuring it ("Serbia signed for 12 Rafales … The Rafales are likely to be based at
    Batajnica"); with none, no statement."""
    out = []
    for r in found:
        if r.rule == DEPLOYED_SYSTEM:
            buyers = [p.subject for p in found if p.predicate == "procures" and not p.negated
                      and p.object.kb_id_ == r.subject.kb_id_ and p.sentence.start <= r.sentence.start
                      and p.subject.label_ in (COUNTRY, ORG)]
            if not buyers:
                continue
            r = replace(r, subject=buyers[-1])
        out.append(r)
    return out


def title_referents(found: list[Relation], rules: Rules) -> list[Relation]:
    """"Macron held talks with the Egyptian leader", "when the Danish minister visited Argentina", "the first visit
    to the UAE by an Israeli leader": a country adjective on a person's title names that person, not the country. The
    person is the last one named so far who holds a role for the country (`holds_role`); with none, the statement
    is dropped."""
    holders = sorted(((r.subject, r.object.kb_id_) for r in found if r.predicate == "holds_role"
                      and r.object.label_ == COUNTRY and not r.negated), key=lambda h: h[0].start)
    # "French Armed Forces Minister Sebastien Lecornu": a role for an organisation named by the country adjective
    by_name = sorted(((r.subject, r.object.text.split()[0].lower()) for r in found if r.predicate == "holds_role"
                      and r.object.label_ == ORG and not r.negated), key=lambda h: h[0].start)
    out = []
    for r in found:
        if r.predicate in ("meets", "visits"):
            for side in ("subject", "object") if r.predicate == "meets" else ("subject",):
                span = getattr(r, side)
                if span.label_ == COUNTRY and _on_title(span, rules):
                    named = [p for p, c in holders if c == span.kb_id_ and p.start < span.start] or \
                        [p for p, w in by_name if w == span.text.lower() and p.start < span.start]
                    r = replace(r, **{side: named[-1]}) if named else None
                    if r is None:
                        break
            if r is None:
                continue
        out.append(r)
    return out


def _on_title(span: Span, rules: Rules) -> bool:
    """The country only describes a person's title: "the Danish minister", "an Israeli leader"."""
    root = span.root
    return root.dep_ in ("amod", "compound") and root.head.lemma_.lower() in rules.role_heads \
        and not root.head.ent_type_


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


def _partner_roles(trigger: Token, roles: dict[str, list[Span]], ents, anchors, rules: Rules, reach, context
                   ) -> dict[str, list[Span]]:
    """The two sides of a partner noun: its owner ("North Korea's ally", "its partner", "Canada's Five Eyes
    partners") and the partner named beside it: in apposition ("its American partner, Sierra Nevada Corporation",
    "partners — A, B and C"), the phrase it is in apposition to ("China, North Korea's main ally"), a list it
    introduces ("partners including A and B"), the subject it is said of ("France has become one of Armenia's
    partners"), the object it is chosen as ("Oslo chose Germany as its partner"). A country adjective on the noun
    only describes the partner ("its American partner"); the members of a list are no partners of each other."""
    parties = [e for e in ents if e.label_ in (COUNTRY, ORG)]
    poss = next((c for c in trigger.children if c.dep_ == "poss"), None)
    members = [e for e in parties if _in_apposition(e, trigger)]
    if not members and trigger.i + 2 < len(trigger.doc) and trigger.doc[trigger.i + 1].text == ",":
        # "Embraer and its American partner, Sierra Nevada Corporation (SNC)": the parser may lose the apposition
        members = [e for e in parties if e.start == trigger.i + 2]
    members += [e for c in trigger.children if c.dep_ == "prep" and c.lower_ in rules.list_preps
                for g in c.children if g.dep_ == "pobj" for e in parties if e.root == g or anchors.get(e) == g]
    described = [e for e in parties if e.root.head == trigger and e.root.dep_ in ("amod", "compound")
                 and e.label_ == COUNTRY and e.root.pos_ == "ADJ"] if (poss is not None or members) else []
    verb, t = None, trigger
    for _ in range(3):  # the verb the noun is an argument of: "chose X as its partner", "is one of Y's partners"
        if t.head == t:
            break
        t = t.head
        if t.pos_ in ("VERB", "AUX"):
            verb = t
            break
        if not (t.dep_ == "prep" or t.like_num or t.pos_ == "NUM" or t.lower_ == "one"):
            break
    owner: list[Span] = []
    other: list[Span] = []
    pronoun = poss is not None and poss.lower_ in rules.owner_pronouns
    if poss is not None and not pronoun:
        owner = [e for e in parties if e.root == poss or e.start <= poss.i < e.end]
        if trigger.dep_ in ("appos", "conj"):
            other = [e for e in parties if e.root == trigger.head]
    elif pronoun or members:
        if trigger.dep_ == "conj":  # "Embraer and its American partner, SNC"
            owner = [e for e in parties if e.root == trigger.head]
        if not owner and verb is not None:
            for v in [verb, *verb.ancestors][:4]:  # "Boeing has committed to investing …, working with partners"
                owner = [e for e in parties if e.root.head == v and e.root.dep_ == "nsubj"]
                if owner or v.pos_ not in ("VERB", "AUX", "ADP"):
                    break
        if not owner and pronoun:
            before = [e for e in parties if e.end <= poss.i and e not in described]
            owner = before[-1:] or ([context["THING"]] if context and context.get("THING") is not None else [])
    dative = [e for e in parties if verb is not None and e.root.head == verb and e.root.dep_ == "dative"]
    if not owner and dative and trigger.dep_ == "dobj":  # "Sweden had offered Finland a close partnership"
        owner = [e for e in parties if e.root.head == verb and e.root.dep_ == "nsubj"]
        other += dative
    if not owner:
        return roles
    if verb is not None and trigger.i > verb.i:
        if trigger.dep_ == "attr" or trigger.head.dep_ == "prep" and trigger.head.head.dep_ == "attr":
            other += [e for e in parties if e.root.head == verb and e.root.dep_ == "nsubj"]
        if trigger.head.lower_ == "as" and trigger.head.head == verb:
            other += [e for e in parties if e.root.head == verb and e.root.dep_ == "dobj"]
    mine = {e.start for e in owner} | {e.start for e in described}
    other += [e for e in members + roles[OBJ] + roles[OTHER] + roles[BETWEEN] if e.start not in mine]
    out = {k: [] for k in roles}
    out[SUBJ], out[OTHER] = owner, [e for e in unique_spans(other) if e.start not in mine]
    return out


def _in_apposition(e: Span, noun: Token) -> bool:
    """The entity is in apposition to `noun`, or coordinated with one that is ("partners — A, B and C")."""
    t = e.root
    for _ in range(6):
        if t.dep_ == "appos" and t.head == noun:
            return True
        if t.dep_ != "conj" or t.head == t:
            return False
        t = t.head
    return False


def _nearest_phrase(trigger: Token) -> Token:
    """The noun a participle set off by a comma describes: the parser's head, unless another noun phrase ends right
    before the comma ("… Block 1A, which will … arm the future F126 class, ordered last year from Damen": the class
    was ordered)."""
    head, i = trigger.head, trigger.i - 1
    if head.pos_ == "PRON" and head.dep_ == "appos":  # "the X and Y batteries, both produced by …"
        return head.head
    while i > head.i and trigger.doc[i].pos_ == "ADV":
        i -= 1
    if trigger.dep_ != "acl" or i <= head.i or trigger.doc[i].text != ",":
        return head
    near = trigger.doc[i - 1]
    while near.dep_ in ("compound", "amod", "nmod", "nummod") and near.head.i > near.i and near.head.i < trigger.i:
        near = near.head
    return near if near.pos_ in ("NOUN", "PROPN") and head.i < near.i else head


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


NUMBER_TYPES = ("CARDINAL", "ORDINAL", "QUANTITY")


def numbered_class_referent(noun: Token, rules: Rules, index=None) -> list[Span]:
    """A definite class noun whose only named words are numbers ("The first six jets, built by the Chengdu Aircraft
    Corporation", "the two submarines, built by TKMS"): the one system of a fitting class named shortly before."""
    left = [t for t in noun.subtree if t.i < noun.i]
    if not left or not any(t.ent_type_ in NUMBER_TYPES for t in left) or any(
            t.ent_type_ and t.ent_type_ not in NUMBER_TYPES for t in left):
        return []
    classes = rules.class_nouns.get(noun.lemma_.lower())
    if not classes or not any(d.lower_ in procurement.DEFINITE for d in noun.children):
        return []
    at, window = noun.i, procurement.ANAPHOR_WINDOW
    systems = index.labelled(WEAPON_SYSTEM)[0] if index is not None else noun.doc.ents
    before = [e for e in systems if e.label_ == WEAPON_SYSTEM and at - window <= e.start and e.end <= at
              and rules.weapon_classes.get(e.kb_id_) in classes]
    return [before[-1]] if len({e.kb_id_ for e in before}) == 1 else []

