"""The relations of one document: every rule family over each sentence (`triggers`, `roles`, `makers`), the
subjects remembered for pronouns, then implicit role countries settled, argument labels checked and one record
kept per (subject mention, predicate, object mention).
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

from ..labels import ARGUMENT_LABELS, ENTITY_LABELS, ORG, SYMMETRIC_PREDICATES
from .makers import maker_relations
from .operators import operator_relations, package_relations
from .relation import EntityIndex, Relation
from .roles import UNSETTLED, focus_country, role_relations, settle_role_countries
from .rules import COMPANY, PRONOUN_KIND, Rules, is_company
from .syntax import heads_above, is_subject, np_anchor
from .triggers import deployed_systems, foreign_capital_visits, title_referents, trigger_relations

def extract_relations(doc: Doc, rules: Rules, published=None) -> list[Relation]:
    """Every relation the document states, one record per (subject, predicate, object, sentence).
    `published` (the article's date: a date or an ISO string) places dates without a year and day names."""
    index = EntityIndex(doc)
    focus = focus_country(doc, index, rules)
    found: list[Relation] = []
    context: dict[str, Span] = {}  # the last entity that was a subject, per pronoun kind
    triggers = rules.triggers
    for sent in doc.sents:
        ents = [e for e in index.sentence_ents(sent) if e.label_ in ENTITY_LABELS]
        anchors = {e: np_anchor(e) for e in ents}
        reach = None
        for tok in sent:
            preds = triggers.get(tok.lemma_.lower()) or triggers.get(tok.lower_)
            if preds:
                if reach is None:
                    reach = {a.i: heads_above(a) for a in anchors.values() if a is not None}
                found += trigger_relations(tok, preds, ents, anchors, sent, rules, context, published, index, reach)
        # a relative clause's subject is remembered only when its kind has no main-clause subject here ("Zelenskyy
        # traveled to X, where Frederiksen announced …. In May, he went to Brussels": he is Zelenskyy)
        main = {PRONOUN_KIND.get(e.label_, "") for e in ents if is_subject(e) and not _in_relative_clause(e)}
        for e in ents:
            if is_subject(e) and (not _in_relative_clause(e) or PRONOUN_KIND.get(e.label_, "") not in main):
                context[PRONOUN_KIND.get(e.label_, "")] = e
            if e.label_ == ORG and is_company(e, rules):
                context[COMPANY] = e
        if not ents:
            continue
        found += role_relations(sent, ents, rules, focus, index, context)
        found += maker_relations(sent, ents, anchors, rules, context)
        found += operator_relations(sent, ents, rules)
        found += package_relations(sent, ents, anchors, rules)
    found = settle_role_countries(found, focus)
    found = title_referents(found, rules)  # "the Danish minister visited": the minister named before
    found = deployed_systems(found)  # "The Rafales are likely to be based at X": whoever procures them
    found += foreign_capital_visits(doc, index, found, rules)  # "Gallant signed the letter in Berlin"
    return _dedupe([r for r in found if _labels_fit(r) or r.rule == UNSETTLED])


def _in_relative_clause(e: Span) -> bool:
    root = e.root
    while root.dep_ == "conj" and root.head != root:
        root = root.head
    return root.head.dep_ == "relcl"


def _labels_fit(r: Relation) -> bool:
    """The arguments have the labels the predicate takes (`labels.ARGUMENT_LABELS`)."""
    subj, obj = ARGUMENT_LABELS[r.predicate]
    return r.subject.label_ in subj and r.object.label_ in obj


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
