"""Text core of the clean stage: one article's text pasted from a news page in, its body and metadata out.

`clean_text(raw, rules)` normalises Unicode and whitespace, reads title, date, agency and section from page furniture
and removes web debris (reading times, share/ad lines, links to other stories, captions, trailing headline lists).
What counts as debris is data (`models/cleaning/debris.yaml`, compiled once by `load_rules`); this module only
interprets the rule kinds described in that file's header.

It must not: read or write any file but the rules; drop body text (a line longer than `max_debris_chars` with two or
more sentences is never removed, unless it exactly repeats another kept line or a `force` rule such as a copyright
line claims it); rewrite kept lines (quotes, datelines and wording stay), except for cutting an agency credit out of
the dateline; raise on any str. Every later offset is an offset into the cleaned text.

Decisions:
- Title: the first line that is not metadata or debris, if it reads like a headline (short, no final full stop);
  later exact repeats of it are dropped. Plain copy without a headline line keeps its first line as body.
- Standfirst (dek): the top block (up to the first blank line after the title) is page header. A line there that is
  followed by more header furniture (a title repeat, a photo caption, a date/byline/section line) is a summary
  printed above the body and is dropped. A dek-like line not followed by furniture is kept as the first paragraph,
  unless it is a near-duplicate of body text (next rule).
- Captions: a short line ending in a photo credit (" / AA", "[File: Reuters]", "(AFP)", "Photo: …") is dropped
  anywhere; so is a short line of `min_duplicate_words`+ words that is a prefix of a later sentence (a caption or dek
  repeating the lead): the body keeps that text.
- Lines are stripped at both ends: pasted pages indent inconsistently and rules match stripped lines.
- Debris by shape, labels only a hint: `min_block_lines` or more consecutive short lines that end no sentence are a
  block of other stories' headlines or a widget wherever it stands (mid-body or at the end, under "Trending News",
  "Keep reading", an outlet's own label or none); a lone short line between paragraphs is a subhead and stays.
  In the header every line that is not the title and no sentence is furniture (section, byline, reporter, date,
  share bar); the first date printed there is the publication date when no rule read one. The title is the first
  header line of `min_title_words`+ words that is not all capitals; short capitalised lines above it are sections.
- Agencies in credits: an agency named only in a credit must not become an entity of the article. The cleaner, not
  the entity step, removes it: credit lines ("(AFP, AP, Reuters)", "… contributed to this report.") are dropped,
  captions with their credits too, and the bracketed agency of a dateline is cut out of the first line ("PRAGUE,
  Sept 27 (Reuters) - The …" -> "PRAGUE, Sept 27 - The …"; `dateline_credit` counts it). The agency is kept as the
  `source` column. Cutting in the cleaner keeps one text for all offsets (mentions point into the cleaned text) and
  needs no credit spans carried through the tables; the dateline's place, which the gold counts as a body mention,
  stays.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .settings import yaml_load

__all__ = ["CleanDoc", "CleaningRules", "Rule", "clean_text", "load_rules", "normalise", "parse_date"]

KINDS = ("drop_line", "related_link", "link_block", "trailer", "metadata", "caption", "dateline", "bio")
# Invisible characters split words for every later matcher ("Ja\u200bpan"): zero-width, soft hyphen, bidi controls.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_LINE_BREAKS = re.compile("\r\n|[\r\v\f\x85\u2028\u2029]")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # never text in an article; NUL from bad decodes
# A full stop after an initial or a short abbreviation ("Sept. 13", "Rear Adm. Hagari", "U.S.") ends no sentence.
_SENTENCE_END = re.compile(r"[.!?](?<!\b[A-Z]\.)(?<!\b(?:Mr|Ms|Dr|Lt|St|No)\.)(?<!\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep"
                           r"|Oct|Nov|Dec|Mrs|Gen|Adm|Col|Sgt|Gov|Sen|Rep|Maj)\.)(?<!\b(?:Sept|Capt|Brig)\.)"
                           r"[\"”’')\]]*(?=\s|$)")  # the punctuation first: the look-behinds run only where it is
_ABBREVIATION_END = re.compile(r"\b(?:[A-Z]\.){2,}$")  # "… from U.S." ends a headline, not a sentence
_ENDS_SENTENCE = re.compile(r"[.!?][\"”’')\]]*$")
_ENDS_FULL_STOP = re.compile(r"\.[\"”’')\]]*$")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])[\"”’')\]]*\s+")
_NON_WORD = re.compile(r"\W+")
_WEEKDAY = re.compile(r"^(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+", re.IGNORECASE)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])")
_DATE_IN_TEXT = re.compile(r"\d{1,2}\s+[A-Za-z]{3,9},?\s+\d{4}|[A-Za-z]{3,9}\s+\d{1,2},?\s+\d{4}|\d{4}-\d{2}-\d{2}")
# "16-04-2024", "10.12.2021", "29/08/2024": day first unless the second number cannot be a month
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")  # no full date without a year
_NUMERIC_DATE = re.compile(r"(?<![\d.])(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?![\d.])")
_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y", "%d %B, %Y", "%d %b, %Y")
# Which field wins when several lines name the agency: an explicit "SOURCE:" line beats a dateline or byline,
# which beat a photo credit (the photo agency is often not the story's).
_RANK_SOURCE_LINE, _RANK_DATELINE, _RANK_CAPTION = 3, 2, 1


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str
    patterns: tuple[re.Pattern, ...]
    force: bool = False  # a line it matches is debris even when long ("Copyright © 2021. All rights reserved. …")
    max_chars: int = 0  # lines longer than this are never tried (0: no limit); keeps body paragraphs cheap

    def search(self, line: str) -> re.Match | None:
        if self.max_chars and len(line) > self.max_chars:
            return None
        return next((m for p in self.patterns if (m := p.search(line))), None)


@dataclass(frozen=True)
class CleaningRules:
    rules: tuple[Rule, ...]
    agencies: dict[str, str] = field(default_factory=dict)
    max_debris_chars: int = 200
    max_headline_chars: int = 160
    max_title_chars: int = 250
    header_max_lines: int = 15
    min_duplicate_words: int = 6
    min_title_words: int = 6
    min_block_lines: int = 3
    min_prose_words: int = 8

    def first(self, line: str, *kinds: str) -> tuple[Rule, re.Match] | None:
        return next(((r, m) for r in self.rules if r.kind in kinds and (m := r.search(line))), None)


def load_rules(path: str | Path) -> CleaningRules:
    return _load_rules(str(Path(path).resolve()))


@lru_cache(maxsize=16)
def _load_rules(path: str) -> CleaningRules:
    data = yaml_load(Path(path).read_text(encoding="utf-8")) or {}
    rules = []
    for spec in data.get("rules", []):
        if spec["kind"] not in KINDS:
            raise ValueError(f"{path}: rule {spec.get('name')!r} has unknown kind {spec['kind']!r}")
        flags = 0 if spec.get("case_sensitive") else re.IGNORECASE
        pats = spec["pattern"] if isinstance(spec["pattern"], list) else [spec["pattern"]]
        rules.append(Rule(spec["name"], spec["kind"], tuple(re.compile(p, flags) for p in pats),
                          bool(spec.get("force")), int(spec.get("max_chars", 0))))
    settings = {k: int(v) for k, v in (data.get("settings") or {}).items()}
    agencies = {str(k).upper(): str(v) for k, v in (data.get("agencies") or {}).items()}
    return CleaningRules(tuple(rules), agencies, **settings)


@dataclass(frozen=True)
class CleanDoc:
    text: str
    title: str | None = None
    published: dt.date | None = None
    source: str | None = None
    section: str | None = None
    removed: dict[str, int] = field(default_factory=dict)


def normalise(raw: str) -> str:
    """NFC, LF line ends, no invisible or control characters, plain spaces, stripped lines, at most one blank line."""
    text = _LINE_BREAKS.sub("\n", raw)
    text = _CONTROLS.sub("", _SPACES.sub(" ", _INVISIBLE.sub("", text)))
    text = unicodedata.normalize("NFC", text)  # after removals: a removed joiner can leave a composable pair
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.strip(" ") for line in text.split("\n"))).strip("\n")


def parse_date(text: str) -> dt.date | None:
    """A date written the ways news pages write it ("2026-01-07", "January 7, 2026", "18 Jan 2023"), else None."""
    text = re.sub(r"\s+", " ", str(text)).strip().strip(".,|")
    if m := _ISO_DATE.match(text):
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    text = _WEEKDAY.sub("", text)
    text = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", re.sub(r"\b([A-Za-z]{3,9})\.", r"\1", text))
    text = re.sub(r"\bSept\b", "Sep", text, flags=re.IGNORECASE)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    m = _DATE_IN_TEXT.search(text)
    if m and m.group(0) != text:
        return parse_date(m.group(0))
    if n := _NUMERIC_DATE.search(text):
        day, month = (int(n[1]), int(n[3])) if int(n[3]) <= 12 else (int(n[3]), int(n[1]))
        try:
            return dt.date(int(n[4]), month, day)
        except ValueError:
            return None
    return None


def _key(line: str) -> str:
    """Comparison form of a line: case-folded words only, so quotes and punctuation do not hide a repeat."""
    return _NON_WORD.sub(" ", line.casefold()).strip()


def _is_body(line: str, rules: CleaningRules) -> bool:
    """The safety rule: a long line of two or more sentences is a body paragraph and no debris rule removes it."""
    return len(line) > rules.max_debris_chars and len(_SENTENCE_END.findall(line)) >= 2


def _headline_like(line: str, rules: CleaningRules) -> bool:
    """A short line that is not a sentence: a link to another story, not body text."""
    return bool(line) and len(line) <= rules.max_headline_chars and not _ENDS_SENTENCE.search(line)


def _prose(line: str, rules: CleaningRules) -> bool:
    """Body text that proves an end marker was mid-article: a body line or a full sentence that no rule claims."""
    return _is_body(line, rules) or (bool(_ENDS_SENTENCE.search(line)) and len(line.split()) >= 8
                                     and rules.first(line, "drop_line", "metadata", "caption") is None)


class _Page:
    """One article being cleaned: its lines, which are kept, the fields read and the removal counts."""

    def __init__(self, lines: list[str], rules: CleaningRules, title: str | None):
        self.lines, self.rules = lines, rules
        self.keep = [True] * len(lines)
        self.removed: Counter = Counter()
        self.title, self.title_seen = title, False
        self.published, self.section, self.source, self.source_rank = None, None, None, 0

    def drop(self, i: int, rule: str, force: bool = False) -> bool:
        if not self.keep[i] or not self.lines[i] or (_is_body(self.lines[i], self.rules) and not force):
            return False
        self.keep[i] = False
        self.removed[rule] += 1
        return True

    def note_date(self, line: str) -> None:
        """A date printed in header furniture ("16-04-2024 17:05", "Updated 9:47 PM, September 13, 2023") is the
        publication date when nothing earlier gave one: the first date of the header wins."""
        if self.published is None and len(line) <= self.rules.max_headline_chars and _YEAR.search(line):
            self.published = parse_date(line)

    def set_source(self, name: str | None, rank: int, known_only: bool = False) -> None:
        name = (name or "").strip(" .,")
        known = self.rules.agencies.get(name.upper())
        if not name or rank <= self.source_rank or (known_only and not known):
            return
        # "NEWS AGENCIES" -> "News Agencies"; short all-capital names are acronyms and stay
        self.source = known or (name.title() if name.isupper() and len(name) > 4 else name)
        self.source_rank = rank

    def read_fields(self, m: re.Match, rank: int) -> bool:
        """Take a metadata/dateline match's fields; False when its date group is not a date (the line is prose)."""
        g = {k: v for k, v in m.groupdict().items() if v}
        date = parse_date(g["date"]) if "date" in g else None
        if "date" in g and date is None:
            return False
        self.published = self.published or date
        if g.get("section", "").strip() and self.section is None:
            self.section = g["section"].strip()
        self.set_source(g.get("source"), rank)
        author = g.get("author", "").strip()
        if staff := re.match(r"(.+?)\s+(?:staff|reporters|newsroom)$", author, re.IGNORECASE):
            self.set_source(staff[1], _RANK_DATELINE)  # "By Defence Desk Staff": the outlet's own copy
        else:
            self.set_source(author, _RANK_DATELINE, known_only=True)  # "By Reuters"; a reporter's name is no source
        return True

    def consume(self, i: int, *kinds: str) -> bool:
        """Drop line i by the first rule of these kinds that matches it (metadata read on the way)."""
        line = self.lines[i]
        body = _is_body(line, self.rules)
        for rule in (r for r in self.rules.rules if r.kind in kinds and (r.force or not body)):
            m = rule.search(line)
            if not m:
                continue
            if rule.kind == "metadata" and not self.read_fields(m, _RANK_SOURCE_LINE):
                continue
            if rule.kind == "related_link" and not _headline_like(line, self.rules):
                continue
            if rule.kind == "caption":
                if len(line) > 2 * self.rules.max_debris_chars:
                    continue  # captions are short; a long line ending "/ X" is text
                self.set_source(m.groupdict().get("credit"), _RANK_CAPTION, known_only=True)
            return self.drop(i, rule.name, force=rule.force)
        return False

    def is_title(self, line: str) -> bool:
        return self.title is not None and _key(line) == _key(self.title)

    def drop_title(self, i: int) -> None:
        self.drop(i, "repeated_title" if self.title_seen else "title")
        self.title_seen = True


def _title_like(line: str, rules: CleaningRules) -> bool:
    return (len(line) <= rules.max_title_chars and (not _ENDS_FULL_STOP.search(line) or _ABBREVIATION_END.search(line))
            and any(c.isalpha() for c in line)
            and rules.first(line, "caption", "dateline", "related_link", "link_block", "trailer") is None)


def _drop_trailer(page: _Page) -> int:
    """Drop everything from the first end marker after the last prose line (other stories' headlines); return where
    the trailer starts. A marker with prose after it is mid-article and is left to the body scan."""
    lines, rules = page.lines, page.rules
    last_prose = max((i for i, x in enumerate(lines) if x and _prose(x, rules)), default=-1)
    for i in range(last_prose + 1, len(lines)):
        hit = lines[i] and not _ENDS_SENTENCE.search(lines[i]) and rules.first(lines[i], "trailer")
        if hit:
            for j in range(i, len(lines)):
                page.drop(j, hit[0].name)
            return i
    return len(lines)


def _words(line: str) -> int:
    return sum(1 for w in line.split() if any(c.isalpha() for c in w))


def _sentence(line: str, rules: CleaningRules) -> bool:
    """A line that can open the body: a paragraph, a dateline, or a full sentence of min_prose_words words that is
    no caption or other claimed line."""
    if _is_body(line, rules) or rules.first(line, "dateline"):
        return True
    return (bool(_ENDS_SENTENCE.search(line)) and _words(line) >= rules.min_prose_words
            and rules.first(line, "caption", "drop_line", "metadata", "related_link") is None)


def _full_headline(line: str, rules: CleaningRules) -> bool:
    return _title_like(line, rules) and _words(line) >= rules.min_title_words and not line.isupper()


_SECTION_SEPARATOR = re.compile(r"[›»>/|:]")


def _section_label(page: _Page, i: int, end: int) -> bool:
    """A kicker above the headline: all capitals, or up to four capitalised words or a breadcrumb ("UK Politics",
    "China / Military"), with a full headline below it in the header."""
    lines, rules = page.lines, page.rules
    line = lines[i]
    words = [w for w in line.split() if any(c.isalpha() for c in w)]
    short_label = len(words) <= 4 and (all(w[0].isupper() for w in words) or _SECTION_SEPARATOR.search(line))
    if not (line.isupper() or short_label) or _full_headline(line, rules):
        return False
    for j in range(i + 1, end):
        if lines[j] and _full_headline(lines[j], rules) and rules.first(lines[j], "metadata", "drop_line") is None:
            return True
        if lines[j] and _sentence(lines[j], rules):
            return False
    return False


def _scan_header(page: _Page, end: int) -> int:
    """Read the page header (metadata, section, title, dek, byline, caption, date) down to the first body paragraph;
    return the index where the body scan starts. See the module docstring for the dek decision."""
    lines, rules = page.lines, page.rules
    pending: list[int] = []  # dek candidates: dropped if header furniture follows, else kept as body
    started = False
    limit = min(end, rules.header_max_lines)
    i = 0
    while i < limit:
        line = lines[i]
        furniture = False
        if not line:
            if started:
                # the header goes on over a blank line only while no sentence follows it (bylines, dates, widgets)
                j = next((k for k in range(i + 1, limit) if lines[k]), limit)
                if j >= limit or _sentence(lines[j], rules):
                    break
        elif _is_body(line, rules) or rules.first(line, "dateline"):
            break
        elif page.consume(i, "metadata"):
            furniture = True
        elif page.consume(i, "drop_line"):
            page.note_date(line)
        elif page.consume(i, "caption"):
            furniture, started = True, started or page.title is not None
        elif page.title is None:
            if not _title_like(line, rules):
                break
            if _words(line) < rules.min_title_words and parse_date(line):
                page.note_date(line)  # "Fri, Sep 29, 2023 page 1": a date line, never the title
                page.drop(i, "header_furniture")
                furniture = True
            elif _section_label(page, i, limit):
                page.section = page.section or line
                page.drop(i, "section_line")
                page.note_date(line)
                furniture = True
            else:
                page.title, started = line, True
                page.drop_title(i)
        elif page.is_title(line):
            page.drop_title(i)
            furniture = started = True
        elif started and not _ENDS_SENTENCE.search(line) and _words(line) < rules.min_prose_words:
            page.note_date(line)  # a short line and no sentence: byline, reporter, date or widget
            page.drop(i, "header_furniture")
            furniture = True
        elif len(line) > 2 * rules.max_debris_chars or len(pending) >= 2:
            break  # a dek is one or two short lines; anything more is the body starting without a blank line
        else:
            pending.append(i)
            started = True
        if furniture:
            for p in pending:
                page.drop(p, "standfirst")
            pending.clear()
        i += 1
    return pending[0] if pending else i


def _scan_body(page: _Page, start: int, end: int) -> None:
    lines, rules = page.lines, page.rules
    first_body = True
    i = start
    while i < end:
        line = lines[i]
        if not line or not page.keep[i]:
            i += 1
            continue
        if _is_body(line, rules):
            dropped = page.consume(i, "drop_line")  # only a `force` rule takes a paragraph-sized line
        elif page.is_title(line):
            page.drop_title(i)
            dropped = True
        elif (hit := rules.first(line, "link_block", "trailer")) and not _ENDS_SENTENCE.search(line):
            # "Read more" + a few headlines, then the article resumes: stop at a blank line or a sentence
            page.drop(i, hit[0].name)
            i += 1
            while i < end and _headline_like(lines[i], rules):
                page.drop(i, hit[0].name)
                i += 1
            continue
        elif (n := _headline_run(page, i, end)) >= rules.min_block_lines:
            for j in range(i, i + n):  # other stories' headlines or a widget, under any label or none
                page.drop(j, "headline_block")
            i += n
            continue
        elif (hit := rules.first(line, "bio")) and _words(line) <= 6:
            page.drop(i, hit[0].name)  # "About the author" and its paragraph, sentences included
            i += 1
            while i < end and lines[i]:
                page.drop(i, hit[0].name, force=True)
                i += 1
            continue
        else:
            dropped = page.consume(i, "metadata", "drop_line", "related_link", "caption")
        if not dropped and first_body:
            first_body = False
            if hit := rules.first(line, "dateline"):  # the dateline stays in the text; only its fields are read
                page.read_fields(hit[1], _RANK_DATELINE)
                if hit[1].groupdict().get("credit"):  # but "(Reuters)" is a credit, not a mention of the agency
                    lines[i] = line[:hit[1].start("credit")] + line[hit[1].end("credit"):]
                    page.removed["dateline_credit"] += 1
        i += 1


def _headline_run(page: _Page, i: int, end: int) -> int:
    """How many lines from i on, with no blank line between, are short lines that end no sentence."""
    n = i
    while (n < end and page.lines[n] and page.keep[n] and _headline_like(page.lines[n], page.rules)
           and not (n > i and page.rules.first(page.lines[n], "bio"))):  # an author box after a list is its own
        n += 1
    return n - i


def _drop_duplicates(page: _Page) -> None:
    """Drop short lines repeating the start of a later sentence (captions, deks) and repeated body paragraphs."""
    lines, rules = page.lines, page.rules
    kept = [i for i, x in enumerate(lines) if x and page.keep[i]]
    index = sorted((k, i) for i in kept for s in _SENTENCE_SPLIT.split(lines[i]) if (k := _key(s)))
    keys = [k for k, _ in index]
    seen_body: set[str] = set()
    for i in kept:
        line, key = lines[i], _key(lines[i])
        if _is_body(line, rules):
            if key in seen_body:  # the one case a body line goes: an exact repeat of a kept paragraph
                page.keep[i] = False
                page.removed["duplicate_paragraph"] += 1
            seen_body.add(key)
            continue
        if len(line) > 2 * rules.max_debris_chars or len(key.split()) < rules.min_duplicate_words:
            continue
        n = bisect.bisect_left(keys, key)
        while n < len(keys) and keys[n].startswith(key):
            later, j = index[n]
            if j > i and page.keep[j] and (len(later) == len(key) or later[len(key)] == " "):
                page.drop(i, "caption_duplicate")
                break
            n += 1


def clean_text(raw: str, rules: CleaningRules, *, title: str | None = None) -> CleanDoc:
    """Cleaned body and metadata of one article (see the module docstring). `title`, when the input format gives
    one (a JSON or HTML headline), is used as the title; the text's copies of it are dropped."""
    given = normalise(title).replace("\n", " ").strip() if isinstance(title, str) else ""
    page = _Page(normalise(raw if isinstance(raw, str) else "").split("\n"), rules, given or None)
    end = _drop_trailer(page)
    start = _scan_header(page, end)
    _scan_body(page, start, end)
    _drop_duplicates(page)
    text = "\n".join(x for x, k in zip(page.lines, page.keep) if k)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return CleanDoc(text, page.title, page.published, page.source, page.section, dict(sorted(page.removed.items())))
