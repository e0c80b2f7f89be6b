"""Finding and decoding input files: the I/O half of the clean stage (the text half is `clean.py`).

Every file found under the seeds folder becomes exactly one `RawDocument` with a status, so nothing vanishes:
unreadable, binary, oversized, empty and duplicate files get a row with the reason. A JSON Lines or JSON export of a
news API becomes one `RawDocument` per record (`source_path` is `file.jsonl:LINE`, or `file.json:N` for the N-th
record); a line that is no JSON object or a record with no text gets its own row with the reason. A saved HTML page
gives its main text and metadata through trafilatura (parsed, never rendered, nothing fetched). Hidden files (a name starting
with ".") and editor leftovers (`~$x`, `x~`, `*.swp`) are skipped by rule and never become rows; nothing is
followed outside the seeds folder: a symlink leaving it, a symlink loop, a symlink to a folder and a pipe or device
are rejected with the reason, never read. Only .txt/.text/.md, JSON exports and HTML are read, as text; any other
type (.pdf, .py, .sh, .pkl, .npy, no suffix) is rejected as unsupported, so nothing in seeds is executed or
unpickled. A file name that is not UTF-8 is reported with its odd bytes as \\xNN.
"""
from __future__ import annotations

import codecs
import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from charset_normalizer import from_bytes

from .labels import STATUS_DUPLICATE, STATUS_EMPTY, STATUS_OK, STATUS_REJECTED

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})
RECORD_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
TEXT_KEYS = ("text", "body", "content", "article", "full_text")
LIST_KEYS = ("articles", "data", "items", "results", "documents", "records")
RECORD_FIELDS = (("title", ("title", "headline")), ("published", ("published", "date", "published_at", "publishedAt",
                 "pubDate")), ("source", ("source", "agency", "publisher")), ("url", ("url", "link")))
SKIP_SUFFIXES = frozenset({".swp", ".swo", ".tmp", ".part", ".crdownload"})


@dataclass(frozen=True)
class RawDocument:
    doc_id: str
    source_path: str
    sha256: str
    status: str
    error: str | None
    text: str | None  # decoded text, None unless status is ok
    encoding: str | None
    meta: dict = field(default_factory=dict)  # title, published, source, url given by a JSON record


def is_skipped(rel: Path) -> bool:
    """Hidden files and folders, Office lock files and editor backups are not articles."""
    name = rel.name
    return (
        any(part.startswith(".") for part in rel.parts)
        or name.startswith("~$")
        or name.endswith("~")
        or rel.suffix.lower() in SKIP_SUFFIXES
    )


def discover(seeds: Path) -> list[Path]:
    """Every candidate file under seeds, sorted by relative path (so ids and row order never depend on the OS)."""
    found = []
    for p in seeds.rglob("*"):  # rglob never descends into a symlinked folder
        rel = p.relative_to(seeds)
        if is_skipped(rel) or (p.is_dir() and not p.is_symlink()):
            continue
        found.append(rel)  # files, symlinks (to files, folders or nowhere), pipes and devices: each gets a row
    return sorted(found, key=lambda r: r.as_posix())


def display_name(rel: Path) -> str:
    """The '/'-separated relative path as text; bytes of a file name that are not UTF-8 are shown as \\xNN."""
    return os.fsencode(rel.as_posix()).decode("utf-8", errors="backslashreplace")


def decode(raw: bytes) -> tuple[str | None, str | None, str | None]:
    """(text, encoding, error): UTF-8 (with or without BOM) and UTF-16 with BOM first, then a detected encoding."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8", errors="replace"), "utf-8-sig", None
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16", errors="replace"), "utf-16", None
    if b"\x00" in raw:
        return None, None, "binary file (contains NUL bytes)"
    try:
        return raw.decode("utf-8"), "utf-8", None
    except UnicodeDecodeError as exc:
        if exc.start >= len(raw) - 3 and exc.reason == "unexpected end of data":  # truncated last character
            return raw.decode("utf-8", errors="replace"), "utf-8", None
    latin = _as_western(raw)
    if latin is not None:
        return latin, "cp1252", None
    best = from_bytes(raw).best()
    if best is None:
        return None, None, "undecodable bytes (no text encoding fits)"
    return str(best), best.encoding, None


def _as_western(raw: bytes) -> str | None:
    """cp1252 when it decodes to Latin letters and typographic punctuation only. Short Western texts are where
    statistical detection guesses wrong (a cp1252 'Türkiye’s' reads as Big5), and they are most of what we get."""
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        return None
    ok = all(c < "\u0250" or "\u2010" <= c <= "\u2027" or c in "\u20ac\u2122" for c in text if ord(c) > 127)
    return text if ok else None


def read_seeds(seeds: str | Path, *, max_bytes: int) -> Iterator[RawDocument]:
    seeds = Path(seeds)
    if not seeds.is_dir():
        raise FileNotFoundError(f"{seeds}: seeds folder not found")
    root = seeds.resolve()
    kept: dict[str, str] = {}  # sha256 -> source_path of the first copy
    for rel in discover(seeds):
        path, name = seeds / rel, display_name(rel)
        if path.is_symlink():
            try:
                target = path.resolve()
            except (OSError, RuntimeError):  # RuntimeError: a symlink loop
                yield _row(name, b"", STATUS_REJECTED, "symlink loop (not followed)")
                continue
            if not target.is_relative_to(root):
                yield _row(name, b"", STATUS_REJECTED, "symlink pointing outside the seeds folder (not followed)")
                continue
            if target.is_dir():
                yield _row(name, b"", STATUS_REJECTED, "symlink to a folder (not followed; its files are read "
                                                       "where they are)")
                continue
        try:
            st = path.stat()
            if not stat.S_ISREG(st.st_mode):
                yield _row(name, b"", STATUS_REJECTED, "not a regular file (pipe, socket or device)")
                continue
            if st.st_size > max_bytes:
                yield _row(name, name.encode(), STATUS_REJECTED,
                           f"file too large ({st.st_size} bytes > {max_bytes})")
                continue
            with open(path, "rb") as fh:
                raw = fh.read(max_bytes + 1)  # a file growing while we read cannot exceed the limit
            if len(raw) > max_bytes:
                yield _row(name, name.encode(), STATUS_REJECTED, f"file too large (> {max_bytes} bytes)")
                continue
        except OSError as exc:
            yield _row(name, name.encode(), STATUS_REJECTED, f"unreadable: {exc.strerror or exc}")
            continue
        sha = hashlib.sha256(raw).hexdigest()
        if sha in kept:
            yield _row(name, raw, STATUS_DUPLICATE, f"duplicate of {kept[sha]} (doc_id {sha[:16]})", salt=name)
            continue
        kept[sha] = name
        if path.suffix.lower() in RECORD_SUFFIXES:
            yield from _records(name, raw, kept)
            continue
        if path.suffix.lower() in HTML_SUFFIXES:
            yield _html(name, raw, sha)
            continue
        if path.suffix.lower() not in TEXT_SUFFIXES:
            yield _row(name, raw, STATUS_REJECTED, f"unsupported file type '{path.suffix or '(none)'}'")
            continue
        text, encoding, error = decode(raw)
        if error:
            yield _row(name, raw, STATUS_REJECTED, error)
        elif not text.strip():
            yield _row(name, raw, STATUS_EMPTY, "no text (empty or whitespace only)", encoding=encoding)
        else:
            meta, body = front_matter(text) if path.suffix.lower() == ".md" else ({}, text)
            yield RawDocument(sha[:16], name, sha, STATUS_OK, None, body, encoding, meta)


def _row(name: str, raw: bytes, status: str, error: str, *, salt: str = "", encoding: str | None = None):
    sha = hashlib.sha256(raw).hexdigest()
    # A duplicate (or a file we could not read) still needs an id of its own: mix its path into the hash.
    doc_id = hashlib.sha256(raw + b"\0" + salt.encode()).hexdigest()[:16] if salt else sha[:16]
    if not raw or status == STATUS_REJECTED and raw == name.encode():
        doc_id = hashlib.sha256(b"\0path\0" + name.encode()).hexdigest()[:16]
    return RawDocument(doc_id, name, sha, status, error, None, encoding)


def _records(name: str, raw: bytes, kept: dict[str, str]) -> Iterator[RawDocument]:
    """One document per record of a JSON Lines (or JSON) export; bad lines and empty records get rows of their own."""
    text, encoding, error = decode(raw)
    if error:
        yield _row(name, raw, STATUS_REJECTED, error)
        return
    if name.lower().endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            yield _row(name, raw, STATUS_REJECTED, f"not JSON ({exc.msg} at line {exc.lineno})")
            return
        if isinstance(data, dict):
            data = next((data[k] for k in LIST_KEYS if isinstance(data.get(k), list)), [data])
        items = [(f"{name}:{i}", json.dumps(r, ensure_ascii=False, sort_keys=True), r)
                 for i, r in enumerate(data if isinstance(data, list) else [data], 1)]
    else:
        items = []
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    items.append((f"{name}:{n}", line, json.loads(line)))
                except json.JSONDecodeError as exc:
                    items.append((f"{name}:{n}", line, ValueError(f"line {n} is not JSON ({exc.msg})")))
    if not items:
        yield _row(name, raw, STATUS_EMPTY, "no records")
    for path, line, record in items:
        yield _record(path, line.encode(), record, kept, encoding)


def _record(path: str, raw: bytes, record, kept: dict[str, str], encoding: str | None) -> RawDocument:
    if isinstance(record, Exception):
        return _row(path, raw, STATUS_REJECTED, str(record), salt=path)
    if not isinstance(record, dict):
        return _row(path, raw, STATUS_REJECTED, f"record is a JSON {type(record).__name__}, not an object", salt=path)
    body = next((record[k] for k in TEXT_KEYS if isinstance(record.get(k), str) and record[k].strip()), None)
    if body is None:
        return _row(path, raw, STATUS_EMPTY, f"record has no text (looked for {', '.join(TEXT_KEYS)})", salt=path)
    sha = hashlib.sha256(raw).hexdigest()
    if sha in kept:
        return _row(path, raw, STATUS_DUPLICATE, f"duplicate of {kept[sha]} (doc_id {sha[:16]})", salt=path)
    kept[sha] = path
    meta = {}
    for key, sources in RECORD_FIELDS:
        for src in sources:
            value = record.get(src)
            if isinstance(value, dict):  # NewsAPI: "source": {"id": …, "name": "Reuters"}
                value = value.get("name")
            if isinstance(value, (str, int, float)) and str(value).strip():
                meta[key] = str(value).strip()
                break
    return RawDocument(sha[:16], path, sha, STATUS_OK, None, body, encoding, meta)


def _html(name: str, raw: bytes, sha: str) -> RawDocument:
    """Main text and metadata of a saved web page, by trafilatura's boilerplate removal. The page is parsed, never
    rendered or followed; a date is kept only if the page itself contains it (no guess from today's date)."""
    html, encoding, error = decode(raw)
    if error:
        return _row(name, raw, STATUS_REJECTED, error)
    try:
        import trafilatura  # imported here: only HTML inputs pay for it

        found = trafilatura.extract(html, output_format="json", with_metadata=True, include_comments=False,
                                    include_tables=False, deduplicate=True)
    except Exception as exc:  # malformed markup must not take the run down
        return _row(name, raw, STATUS_REJECTED, f"HTML could not be parsed ({type(exc).__name__})")
    data = json.loads(found) if found else {}
    if not (data.get("text") or "").strip():
        data = {"text": _visible_text(html)}  # markup too deep or odd for the extractor: its plain text
    if not (data.get("text") or "").strip():
        return _row(name, raw, STATUS_EMPTY, "no article text found in the HTML page", encoding=encoding)
    meta = {k: str(data[k]) for k in ("title", "url") if data.get(k)}
    if data.get("date") and str(data["date"]) in html:
        meta["published"] = str(data["date"])
    source = data.get("sitename") or data.get("source-hostname") or data.get("hostname")
    if source:
        meta["source"] = str(source)
    return RawDocument(sha[:16], name, sha, STATUS_OK, None, data["text"], encoding, meta)


def _visible_text(html: str) -> str:
    """Text of a page outside scripts, styles and navigation, by the standard library's streaming parser (no tree,
    so no depth limit)."""
    from html.parser import HTMLParser

    class Text(HTMLParser):
        SKIP = {"script", "style", "nav", "header", "footer", "aside", "noscript", "template"}

        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.depth, self.parts = 0, []

        def handle_starttag(self, tag, attrs):
            self.depth += tag in self.SKIP

        def handle_endtag(self, tag):
            self.depth -= tag in self.SKIP and self.depth > 0

        def handle_data(self, data):
            if not self.depth and data.strip():
                self.parts.append(data.strip())

    parser = Text()
    parser.feed(html)
    parser.close()
    return "\n\n".join(parser.parts)


def front_matter(text: str) -> tuple[dict, str]:
    """(metadata, body) of a Markdown file with a YAML front-matter block; unreadable YAML leaves the text whole."""
    import yaml

    if not text.startswith("---"):
        return {}, text
    end = text.find("\n---", 3)
    if end < 0:
        return {}, text
    try:
        data = yaml.safe_load(text[3:end])
    except yaml.YAMLError:
        return {}, text
    if not isinstance(data, dict):
        return {}, text
    meta = {}
    for key, sources in RECORD_FIELDS:
        value = next((data[s] for s in sources if data.get(s) not in (None, "") and not isinstance(data[s], (dict, list))),
                     None)
        if value is not None:
            meta[key] = str(value)
    body = text[end + 4 :].lstrip("-").lstrip("\n")
    return meta, body
