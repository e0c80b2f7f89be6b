"""What the rule families share: the `Relation` record they return, and `EntityIndex`, a document's entities read
once (with the sentence's date and money phrases, computed once per sentence).

No rules here, and no parse reading beyond the entity offsets.
"""
from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Docs come from the annotate stage; the cached path never imports spaCy
    from spacy.tokens import Doc, Span

from . import dates, procurement


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
    date: dt.date | None = None  # the day the statement gives ("met on Monday"), resolved (`dates`)


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
