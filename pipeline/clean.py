"""The text half of the clean stage: web debris out, metadata in, body text never lost.

`clean_text(raw, rules)` takes the decoded text of one article pasted from a news page and returns the cleaned body
with its title, date, agency and section. What counts as debris is data (`models/cleaning/debris.yaml`, read by
`load_rules`); this module only interprets rule kinds: lines dropped anywhere, links to other stories, link blocks,
trailing lists of other stories, metadata lines, the header block above the body, photo captions, datelines.
It must not read files other than the rules, and it must never drop a line that looks like a body paragraph.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

# Invisible characters that break matching ("Ja\u200bpan"): zero-width, soft hyphen, BOM, bidi controls.
INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a-\u202e\u2066-\u2069]")
ODD_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\f\v]")
SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*(\s|$)")
DATE_FORMATS = ("%Y-%m-%d", "%B %d, %Y", "%b %d, %Y", "%b. %d, %Y", "%d %B %Y", "%d %b %Y", "%d %b. %Y",
                "%B %d %Y", "%d/%m/%Y")
HEADER_MAX_LINES = 14
HEADER_MAX_CHARS = 1500


@dataclass(frozen=True)
class CleaningRules:
    max_debris_chars: int
    drop_lines: dict[str, re.Pattern]
    related_line: re.Pattern
    link_block_markers: re.Pattern
    link_block_max_lines: int
    trailer_markers: re.Pattern
    metadata: dict[str, re.Pattern]
    caption_suffix: re.Pattern
    datelines: tuple[re.Pattern, ...]
    agencies: dict[str, str]


@lru_cache(maxsize=8)
def load_rules(path: str | Path) -> CleaningRules:
    d = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    ci = lambda p: re.compile(p, re.IGNORECASE)  # noqa: E731
    return CleaningRules(
        int(d["max_debris_chars"]),
        {k: ci(v) for k, v in d["drop_lines"].items()},
        re.compile(d["related_line"]),
        ci(d["link_block_markers"]),
        int(d["link_block_max_lines"]),
        ci(d["trailer_markers"]),
        {k: ci(v) for k, v in d["metadata"].items()},
        ci(d["caption_suffix"]),
        tuple(re.compile(p) for p in d["datelines"]),
        {k.upper(): v for k, v in d["agencies"].items()},
    )


@dataclass(frozen=True)
class CleanDoc:
    text: str
    title: str | None = None
    published: dt.date | None = None
    source: str | None = None
    section: str | None = None
    removed: dict[str, int] = field(default_factory=dict)


def normalise(raw: str) -> str:
    """NFC, LF line ends, no invisible characters, plain spaces, no trailing spaces (typographic quotes kept)."""
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    text = ODD_SPACES.sub(" ", INVISIBLE.sub("", text))
    text = text.replace("\x00", "")
    return "\n".join(line.rstrip() for line in text.split("\n"))


def is_body_like(line: str, rules: CleaningRules) -> bool:
    """A line no debris rule may remove: long and made of two or more sentences."""
    return len(line) > rules.max_debris_chars and len(SENTENCE_END.findall(line)) >= 2


def parse_date(text: str) -> dt.date | None:
    text = re.sub(r"\s+", " ", text.strip().rstrip(".,|"))
    text = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    m = re.search(r"(\d{1,2}\s+[A-Za-z]{3,9}\.?\s+\d{4}|[A-Za-z]{3,9}\.?\s+\d{1,2},\s+\d{4}|\d{4}-\d{2}-\d{2})", text)
    return parse_date(m.group(1)) if m and m.group(1) != text else None


class _Meta:
    def __init__(self, rules: CleaningRules):
        self.rules = rules
        self.title = self.published = self.source = self.section = None

    def agency(self, name: str) -> str:
        name = name.strip().strip(".")
        known = self.rules.agencies.get(name.upper())
        if known:
            return known
        return name.title() if name.isupper() and len(name) > 4 else name  # "NEWS AGENCIES" -> "News Agencies"

    def read(self, line: str) -> str | None:
        """The metadata rule a line matches (its fields taken), or None."""
        for name, pat in self.rules.metadata.items():
            m = pat.match(line)
            if not m:
                continue
            g = m.groupdict()
            if g.get("date") and self.published is None:
                self.published = parse_date(g["date"])
            if g.get("section") and self.section is None:
                self.section = g["section"].strip() or None
            if g.get("source"):
                self.source = self.agency(g["source"])
            return name
        return None


def clean_text(raw: str, rules: CleaningRules, *, title: str | None = None) -> CleanDoc:
    """Cleaned body and metadata of one article; see the module docstring. A `title` given by the source (a JSON
    record's headline) replaces the search for one: the text is then body only, bar repeats of that title."""
    lines = normalise(raw).split("\n")
    meta = _Meta(rules)
    removed: Counter = Counter()
    keep = [True] * len(lines)

    def drop(i: int, rule: str) -> None:
        if keep[i] and lines[i].strip():
            keep[i] = False
            removed[rule] += 1

    _trailer(lines, rules, drop)
    if title and title.strip():
        meta.title = normalise(title).strip()
    else:
        _header(lines, keep, rules, meta, drop)
    title_key = _key(meta.title) if meta.title else None
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if not keep[i] or not line:
            i += 1
            continue
        if is_body_like(line, rules):
            if title_key is None or _key(line) != title_key:
                _dateline(line, rules, meta)
                i += 1
                continue
        if title_key and _key(line) == title_key:
            drop(i, "repeated_title")
        elif rule := meta.read(line):
            drop(i, f"metadata:{rule}")
        elif rule := next((n for n, p in rules.drop_lines.items() if p.match(line)), None):
            drop(i, rule)
        elif rules.related_line.match(line) and len(line) <= 2 * rules.max_debris_chars:
            drop(i, "related_link")
        elif rules.link_block_markers.match(line):
            drop(i, "link_block")
            j = i + 1
            while j < len(lines) and j <= i + rules.link_block_max_lines and _headline_like(lines[j], rules):
                drop(j, "link_block")
                j += 1
            i = j
            continue
        elif _is_caption(line, rules):
            if meta.source is None:
                m = re.search(r"/\s*([A-Z][\w ]{0,20})$", line)
                meta.source = meta.agency(m.group(1)) if m else None
            drop(i, "caption")
        else:
            _dateline(line, rules, meta)
        i += 1
    text = "\n".join(line for line, k in zip(lines, keep) if k)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return CleanDoc(text, meta.title, meta.published, meta.source, meta.section, dict(sorted(removed.items())))


def _key(line: str) -> str:
    return re.sub(r"\W+", " ", line.casefold()).strip()


def _headline_like(line: str, rules: CleaningRules) -> bool:
    line = line.strip()
    return bool(line) and len(line) <= 160 and not is_body_like(line, rules) and len(SENTENCE_END.findall(line)) <= 1


def _is_caption(line: str, rules: CleaningRules) -> bool:
    return len(line) <= 2 * rules.max_debris_chars and bool(rules.caption_suffix.search(line))


def _trailer(lines: list[str], rules: CleaningRules, drop) -> None:
    """From a trailer marker ("Explore", "Most read", "Tags: …") on, the page lists other stories: drop them, unless
    body paragraphs follow (then only the short headline lines after the marker go)."""
    for i, line in enumerate(lines):
        if rules.trailer_markers.match(line.strip()):
            rest = lines[i + 1 :]
            if any(is_body_like(x.strip(), rules) for x in rest):
                drop(i, "trailer")
                j = i + 1
                while j < len(lines) and _headline_like(lines[j], rules):
                    drop(j, "trailer")
                    j += 1
                continue
            for j in range(i, len(lines)):
                drop(j, "trailer")
            return


def _header(lines: list[str], keep: list[bool], rules: CleaningRules, meta: _Meta, drop) -> None:
    """The block above the first blank line holds the page furniture: metadata, the title, a standfirst that only
    summarises the body, captions. The title is kept as metadata; the rest of the block is dropped. When the text
    has no such short block (no blank line near the top), only the first line is taken as the title."""
    first_blank = next((i for i, x in enumerate(lines) if not x.strip() and any(y.strip() for y in lines[:i])), None)
    block = range(first_blank) if first_blank is not None else range(0)
    chars = sum(len(lines[i]) for i in block)
    short_block = first_blank is not None and first_blank <= HEADER_MAX_LINES and chars <= HEADER_MAX_CHARS
    if not short_block:
        block = range(0)
    for i in block:
        line = lines[i].strip()
        if not line:
            continue
        if is_body_like(line, rules):
            continue
        if rule := meta.read(line):
            drop(i, f"metadata:{rule}")
        elif any(p.match(line) for p in rules.drop_lines.values()):
            drop(i, next(n for n, p in rules.drop_lines.items() if p.match(line)))
        elif meta.title is None and not _is_caption(line, rules) and not line.endswith("."):
            meta.title = line
            drop(i, "title")
        elif meta.title and _key(line) == _key(meta.title):
            drop(i, "repeated_title")
        elif _is_caption(line, rules):
            m = re.search(r"/\s*([A-Z][\w ]{0,20})$", line)
            if m and meta.source is None:
                meta.source = meta.agency(m.group(1))
            drop(i, "caption")
        elif any(_is_furniture(lines[j].strip(), rules, meta) for j in block if j > i):
            drop(i, "standfirst")  # a summary between the title and more page furniture
        # otherwise the last text of the block is the start of the body: kept
    if meta.title is None:  # plain copy: a short first line with no final period is the headline
        for i, line in enumerate(lines):
            if line.strip():
                if len(line) <= 200 and not SENTENCE_END.search(line.strip()[-2:] + " "):
                    meta.title = line.strip()
                    drop(i, "title")
                break


def _is_furniture(line: str, rules: CleaningRules, meta: _Meta) -> bool:
    """Header lines that are never body: a title repeat, a caption, a metadata or droppable line."""
    if not line:
        return False
    return (
        (meta.title is not None and _key(line) == _key(meta.title))
        or _is_caption(line, rules)
        or any(p.match(line) for p in rules.metadata.values())
        or any(p.match(line) for p in rules.drop_lines.values())
    )


def _dateline(line: str, rules: CleaningRules, meta: _Meta) -> None:
    for pat in rules.datelines:
        m = pat.match(line)
        if m:
            g = m.groupdict()
            if g.get("date") and meta.published is None:
                meta.published = parse_date(g["date"])
            if g.get("source") and meta.source is None:
                meta.source = meta.agency(g["source"])
            return
