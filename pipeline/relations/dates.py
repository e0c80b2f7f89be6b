"""The date a relation statement gives: "met … on March 3", "visited Baghdad on Monday", "on 12 June 2025".

Used by the trigger rules (`triggers`) to fill the relations table's `date` column. Only day-precise dates count
(a month, a year, "last week" or "late 2021" give no date). The date must hang off the trigger's own clause in the
parse ("held talks on Monday": the light verb; "is expected to visit Japan on March 3": the trigger itself), never
off another clause of the sentence. Resolution against the article's publication date (`documents.published`):

- a full date ("12 June 2025", "June 12, 2025", "2025-06-12") is taken as written;
- a day and month without a year ("March 3", "3 March"): the year of the publication date, moved a year back when
  the statement is past/present and the date would fall after publication, or a year on when it is future-tense
  ("will visit on March 3") and the date would fall before it;
- a day name ("on Monday"): the most recent such day on or before the publication date ("last Monday": strictly
  before); future-tense statements and "next Monday": the first such day on or after it (strictly after for
  "next"); "today", "yesterday", "tomorrow" likewise;
- with no publication date, only a full date resolves.
Pure functions: no I/O.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # type hints only: the corpus passes import this package without spaCy
    from spacy.tokens import Span, Token

MONTHS = {m: i for i, names in enumerate(
    ("january jan", "february feb", "march mar", "april apr", "may", "june jun", "july jul", "august aug",
     "september sep sept", "october oct", "november nov", "december dec"), start=1) for m in names.split()}
WEEKDAYS = {d: i for i, d in enumerate("monday tuesday wednesday thursday friday saturday sunday".split())}
RELATIVE_DAYS = {"today": 0, "yesterday": -1, "tomorrow": 1}
FUTURE_AUX = frozenset({"will", "shall", "'ll", "’ll"})
# heads of an infinitive that point to the future: "is expected to visit", "is due to meet", "plans to travel"
FUTURE_HEADS = frozenset({"expect", "set", "schedule", "due", "plan", "slate", "go", "intend", "aim", "hope"})

_MONTH = r"(?P<month>[a-z]+)\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s*(?P<year>\d{4}))?"
_WEEKDAY_PREFIX = r"(?:(?P<wd>[a-z]+day),?\s+)?"
DATE_FORMS = (
    re.compile(rf"{_WEEKDAY_PREFIX}{_MONTH}\s+{_DAY}{_YEAR}"),            # March 3, March 3rd, 2025
    re.compile(rf"{_WEEKDAY_PREFIX}(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}{_YEAR}"),  # 3 March 2025, the 3rd of March
)
ISO_DATE = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})")
LEADING = re.compile(r"^(?:on|the)\s+")
DAY_NAME = re.compile(r"(?:(?P<rel>last|next|this|past|coming)\s+)?(?P<wd>[a-z]+day)")


def as_date(value) -> dt.date | None:
    """A publication date given as a date, a datetime, an ISO string or nothing."""
    if value is None or isinstance(value, dt.datetime):
        return value.date() if value is not None else None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def resolve_date(text: str, published=None, tense: str = "past") -> dt.date | None:
    """The day a date expression names, or None when it names no single day (or cannot be placed in time).
    `tense` is "past" (or present) or "future": the direction in which a date without a year is looked for."""
    published = as_date(published)
    t = LEADING.sub("", " ".join(text.lower().split())).strip(" .,")
    m = ISO_DATE.fullmatch(t)
    if m:
        return _make(int(m["year"]), int(m["month"]), int(m["day"]))
    for form in DATE_FORMS:
        m = form.fullmatch(t)
        if m and m["month"] in MONTHS and (m["wd"] is None or m["wd"] in WEEKDAYS):
            month, day = MONTHS[m["month"]], int(m["day"])
            if m["year"]:
                return _make(int(m["year"]), month, day)
            if published is None:
                return None
            d = _make(published.year, month, day)
            if d is None:
                return None
            if tense == "future" and d < published:
                return _make(published.year + 1, month, day)
            if tense != "future" and d > published:
                return _make(published.year - 1, month, day)
            return d
    if published is None:
        return None
    if t in RELATIVE_DAYS:
        return published + dt.timedelta(days=RELATIVE_DAYS[t])
    m = DAY_NAME.fullmatch(t)
    if m and m["wd"] in WEEKDAYS:
        rel = m["rel"] or ""
        future = rel in ("next", "coming") or (tense == "future" and rel not in ("last", "past"))
        delta = (WEEKDAYS[m["wd"]] - published.weekday()) % 7
        if future:
            return published + dt.timedelta(days=delta or (7 if rel == "next" else 0))
        back = (published.weekday() - WEEKDAYS[m["wd"]]) % 7
        if rel in ("last", "past") and back == 0:
            back = 7
        return published - dt.timedelta(days=back)
    return None


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def date_spans(sent: Span, ents: Iterable[Span] | None = None) -> list[Span]:
    """Candidate date expressions of a sentence: spaCy's DATE entities, plus a day name after "on" that the
    model left untagged. `ents`: the sentence's entities when already at hand (`sent.ents` scans the document's)."""
    spans = [e for e in (sent.ents if ents is None else ents) if e.label_ == "DATE"]
    taken = {i for s in spans for i in range(s.start, s.end)}
    for t in sent:
        if t.i not in taken and t.lower_ in WEEKDAYS and t.i > sent.start and t.nbor(-1).lower_ == "on" \
                and not t.ent_type_:
            spans.append(sent.doc[t.i : t.i + 1])
    return spans


def _governor(span: Span) -> Token:
    """The word a date phrase modifies: "on Monday" -> the verb (or noun) the preposition hangs off."""
    t = span.root
    if t.dep_ == "pobj" and t.head.dep_ == "prep" and t.head.head != t.head:
        return t.head.head
    return t.head


def tense_of(verb: Token) -> str:
    """"future" when the clause is future ("will meet", "is expected to visit", "plans to travel"), else "past"."""
    t = verb
    for _ in range(3):
        if any(c.dep_ == "aux" and c.lower_ in FUTURE_AUX for c in t.children):
            return "future"
        if t.dep_ == "xcomp" and t.head.lemma_.lower() in FUTURE_HEADS:
            past = t.head.tag_ == "VBD" or any(c.dep_ in ("aux", "auxpass") and c.lower_ in ("was", "were", "had")
                                               for c in t.head.children)
            return "past" if past else "future"
        if t.dep_ not in ("xcomp", "conj", "acomp") or t.head == t:
            break
        t = t.head
    return "past"


def statement_date(trigger: Token, heads: Iterable[Token], sent: Span, published=None,
                   spans: list[Span] | None = None) -> dt.date | None:
    """The day the statement headed by `trigger` happened (or will happen), from a date phrase that modifies the
    trigger itself or, failing that, the nearest clause word it takes its subject from (`heads`). `spans`: the
    sentence's `date_spans`, when already computed."""
    spans = date_spans(sent) if spans is None else spans
    if not spans:
        return None
    for head in (trigger, *heads):
        for span in spans:
            if _governor(span) == head:
                verb = head if head.pos_ in ("VERB", "AUX") else next(
                    (a for a in head.ancestors if a.pos_ in ("VERB", "AUX")), head)
                d = resolve_date(span.text, published, tense_of(verb))
                if d is not None:
                    return d
    return None
