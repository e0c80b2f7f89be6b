"""Finding and decoding input files: the I/O half of the clean stage (the text half is `clean.py`).

Every file found under the seeds folder becomes exactly one `RawDocument` with a status, so nothing vanishes:
unreadable, binary, oversized, empty and duplicate files get a row with the reason. A JSON Lines or JSON export of a
news API is streamed (`exports.py`, never read whole) and becomes one `RawDocument` per record (`source_path` is
`file.jsonl:LINE`, or `file.json:N` for the N-th record); the size limit is one record's text, so an export of any
size is read, and a line that is no JSON object, a record with no text or one over the limit gets its own row with
the reason. A saved HTML page gives its main text and metadata through trafilatura (parsed, never rendered, nothing
fetched); a PDF (pypdf) or Word .docx file (python-docx) its body text and metadata (`pdf_word.py`). Hidden files (a
name starting with ".") and editor leftovers (`~$x`, `x~`, `*.swp`) are skipped by rule and never become rows;
nothing is followed outside the seeds folder: a symlink leaving it, a symlink loop, a symlink to a folder and a
pipe or device are rejected with the reason, never read. Any other type (.py, .sh, .pkl, .npy, .doc, no suffix) is
rejected as unsupported, so nothing in seeds is executed or unpickled. A file that disappears or changes size
between the folder's listing and its reading is rejected ("vanished during the run", "changed during the run"), and
the next run reads it again. A file name that is not UTF-8 is reported with its odd bytes as \\xNN.
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
BINARY_SUFFIXES = frozenset({".pdf", ".docx"})
TEXT_KEYS = ("text", "body", "content", "article", "full_text")
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
    meta: dict = field(default_factory=dict)  # title, published, source, url given by a record or file metadata
    duplicate_of: str | None = None  # doc_id of the kept copy, for a byte-identical duplicate


def is_skipped(rel: Path) -> bool:
    """Hidden files and folders, Office lock files and editor backups are not articles."""
    name = rel.name
    return (
        any(part.startswith(".") for part in rel.parts)
        or name.startswith("~$")
        or name.endswith("~")
        or rel.suffix.lower() in SKIP_SUFFIXES
    )


def discover(seeds: Path) -> list[tuple[Path, int | None]]:
    """Every candidate file under seeds with its size when listed (None: no regular file), sorted by relative path
    (so ids and row order never depend on the OS). The size tells a file that changed before it was read."""
    found = []
    for p in seeds.rglob("*"):  # rglob never descends into a symlinked folder
        rel = p.relative_to(seeds)
        if is_skipped(rel) or (p.is_dir() and not p.is_symlink()):
            continue
        try:
            st = p.stat()
            size = st.st_size if stat.S_ISREG(st.st_mode) else None
        except (OSError, RuntimeError):
            size = None
        found.append((rel, size))  # files, symlinks (to files, folders or nowhere), pipes and devices: each a row
    return sorted(found, key=lambda r: r[0].as_posix())


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


def read_seeds(seeds: str | Path, *, max_bytes: int, max_file_bytes: int | None = None) -> Iterator[RawDocument]:
    """One RawDocument per input (per record of an export), in path order. `max_bytes` bounds one document's
    text (a text file, a record); `max_file_bytes` a PDF or Word file, whose pictures and fonts make it larger
    than its text (default: 20 x max_bytes). An export is streamed, whatever its size."""
    seeds = Path(seeds)
    if not seeds.is_dir():
        raise FileNotFoundError(f"{seeds}: seeds folder not found")
    max_file_bytes = max_file_bytes or 20 * max_bytes
    root = seeds.resolve()
    kept: dict[str, str] = {}  # sha256 -> source_path of the first copy
    for rel, listed in discover(seeds):
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
        suffix = path.suffix.lower()
        try:
            st = path.stat()
            if not stat.S_ISREG(st.st_mode):
                yield _row(name, b"", STATUS_REJECTED, "not a regular file (pipe, socket or device)")
                continue
            if suffix in RECORD_SUFFIXES:
                yield from _export(path, name, max_bytes, listed, kept)
                continue
            limit = max_file_bytes if suffix in BINARY_SUFFIXES else max_bytes
            if st.st_size > limit:
                yield _row(name, name.encode(), STATUS_REJECTED, f"file too large ({st.st_size} bytes > {limit})")
                continue
            with open(path, "rb") as fh:
                raw = fh.read(limit + 1)  # a file growing while we read cannot exceed the limit
            if len(raw) > limit:
                yield _row(name, name.encode(), STATUS_REJECTED, f"file too large (> {limit} bytes)")
                continue
        except FileNotFoundError:
            yield _row(name, name.encode(), STATUS_REJECTED, "unreadable: symlink to a file that does not exist"
                       if path.is_symlink() else VANISHED)
            continue
        except OSError as exc:
            yield _row(name, name.encode(), STATUS_REJECTED, f"unreadable: {exc.strerror or exc}")
            continue
        if listed is not None and len(raw) != listed:
            yield _row(name, name.encode(), STATUS_REJECTED, f"changed during the run ({listed} bytes when the "
                       f"folder was listed, {len(raw)} when read; the next run reads it again)")
            continue
        sha = hashlib.sha256(raw).hexdigest()
        if sha in kept:
            yield _row(name, raw, STATUS_DUPLICATE, f"duplicate of {kept[sha]} (doc_id {sha[:16]})", salt=name,
                       duplicate_of=sha[:16])
            continue
        kept[sha] = name
        if suffix in HTML_SUFFIXES:
            yield _html(name, raw, sha)
        elif suffix in BINARY_SUFFIXES:
            yield _pdf_word(name, raw, sha, max_bytes)
        elif suffix not in TEXT_SUFFIXES:
            yield _row(name, raw, STATUS_REJECTED, f"unsupported file type '{path.suffix or '(none)'}'")
        else:
            text, encoding, error = decode(raw)
            if error:
                yield _row(name, raw, STATUS_REJECTED, error)
            elif not text.strip():
                yield _row(name, raw, STATUS_EMPTY, "no text (empty or whitespace only)", encoding=encoding)
            else:
                meta, body = front_matter(text) if suffix == ".md" else ({}, text)
                yield RawDocument(sha[:16], name, sha, STATUS_OK, None, body, encoding, meta)


VANISHED = "vanished during the run (listed, then gone before it was read; the next run will not list it)"


def _row(name: str, raw: bytes, status: str, error: str, *, salt: str = "", encoding: str | None = None,
         duplicate_of: str | None = None):
    sha = hashlib.sha256(raw).hexdigest()
    # A duplicate (or a file we could not read) still needs an id of its own: mix its path into the hash.
    doc_id = hashlib.sha256(raw + b"\0" + salt.encode()).hexdigest()[:16] if salt else sha[:16]
    if not raw or status == STATUS_REJECTED and raw == name.encode():
        doc_id = hashlib.sha256(b"\0path\0" + name.encode()).hexdigest()[:16]
    return RawDocument(doc_id, name, sha, status, error, None, encoding, duplicate_of=duplicate_of)


def _export(path: Path, name: str, max_bytes: int, listed: int | None, kept: dict[str, str]) -> Iterator[RawDocument]:
    """One document per record of a JSON Lines (or JSON) export, streamed (`exports.records`); bad lines, empty
    and oversized records get rows of their own. The encoding is read from the file's first 64 KiB."""
    from .exports import records

    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
        fh.seek(0)
        encoding, error = _export_encoding(head)
        if error:
            yield _row(name, name.encode(), STATUS_REJECTED, error)
            return
        n = 0
        stream = open(fh.fileno(), "rb", closefd=False)  # (the text reader closes this one, not our file)
        for n, (where, raw, record) in enumerate(records(stream, name, encoding, 4 * max_bytes), 1):
            yield _record(where, raw, record, kept, encoding, max_bytes)
        size = os.fstat(fh.fileno()).st_size
    if n == 0:
        yield _row(name, name.encode(), STATUS_EMPTY, "no records")
    elif listed is not None and size != listed:
        yield _row(name, name.encode(), STATUS_REJECTED, f"changed during the run ({listed} bytes when the folder "
                   f"was listed, {size} after its records were read; the next run reads it again)")


def _export_encoding(head: bytes) -> tuple[str | None, str | None]:
    """(encoding, error) of an export from its first bytes: a BOM, else UTF-8, else as `decode` finds it."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", None
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", None
    _, encoding, error = decode(head)
    return encoding, error


def _record(path: str, raw: bytes, record, kept: dict[str, str], encoding: str | None,
            max_bytes: int) -> RawDocument:
    if isinstance(record, Exception):
        return _row(path, raw, STATUS_REJECTED, str(record), salt=path)
    if not isinstance(record, dict):
        return _row(path, raw, STATUS_REJECTED, f"record is a JSON {type(record).__name__}, not an object", salt=path)
    body = next((record[k] for k in TEXT_KEYS if isinstance(record.get(k), str) and record[k].strip()), None)
    if body is None:
        return _row(path, raw, STATUS_EMPTY, f"record has no text (looked for {', '.join(TEXT_KEYS)})", salt=path)
    size = len(body.encode("utf-8", errors="replace"))
    if size > max_bytes:
        return _row(path, raw, STATUS_REJECTED, f"record text too large ({size} bytes > {max_bytes})", salt=path)
    sha = hashlib.sha256(raw).hexdigest()
    if sha in kept:
        return _row(path, raw, STATUS_DUPLICATE, f"duplicate of {kept[sha]} (doc_id {sha[:16]})", salt=path,
                    duplicate_of=sha[:16])
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


def _pdf_word(name: str, raw: bytes, sha: str, max_bytes: int) -> RawDocument:
    """Body text and metadata of a PDF or .docx file (`pdf_word`); what it cannot read is rejected with the reason."""
    from .pdf_word import Unreadable, docx_text, pdf_text

    try:
        text, meta = (pdf_text if name.lower().endswith(".pdf") else docx_text)(raw)
    except Unreadable as exc:
        return _row(name, raw, STATUS_REJECTED, str(exc))
    if not text.strip():
        return _row(name, raw, STATUS_EMPTY, "no text in the document")
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        return _row(name, raw, STATUS_REJECTED, f"text too large ({size} bytes > {max_bytes})")
    return RawDocument(sha[:16], name, sha, STATUS_OK, None, text, None, meta)


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
