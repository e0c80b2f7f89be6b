"""Streaming the records of a news API export (JSON Lines or JSON), one at a time, never the whole file in memory.

`records(fh, name, encoding, max_line_chars)` reads an open binary file and yields `(source_path, raw, record)` per
record: `source_path` is `name:LINE` for JSON Lines, `name:N` for the N-th record of a JSON file; `raw` is the
record's own bytes (its line, or its canonical JSON for a .json record: the record's identity); `record` is the
parsed value, or a `ValueError` saying why that record is unusable (not JSON, too large). A JSON file is parsed
by ijson (yajl's C parser) as a stream of events: the items of a top-level array, of the first array under one of
`LIST_KEYS` of a top-level object, or the object itself. A record is built only from its own events, so memory is
one record, whatever the size of the file. Nothing here decides a status; `ingest` does.
"""
from __future__ import annotations

import codecs
import io
import json
from typing import BinaryIO, Iterator

LIST_KEYS = ("articles", "data", "items", "results", "documents", "records")
_OPEN, _CLOSE = ("start_map", "start_array"), ("end_map", "end_array")


def records(fh: BinaryIO, name: str, encoding: str, max_line_chars: int) -> Iterator[tuple[str, bytes, object]]:
    if name.lower().endswith(".json"):
        yield from _json_records(fh, name, encoding)
    else:
        yield from _line_records(fh, name, encoding, max_line_chars)


def _text(fh: BinaryIO, encoding: str) -> io.TextIOWrapper:
    # newline="\n": a line is a record; a raw U+2028 or \x1c inside a JSON string is text, not a line break
    return io.TextIOWrapper(fh, encoding=encoding, errors="replace", newline="\n")


def _line_records(fh, name, encoding, max_line_chars) -> Iterator[tuple[str, bytes, object]]:
    text = _text(fh, encoding)
    n = 0
    while True:
        line = text.readline(max_line_chars + 1)
        if not line:
            return
        n += 1
        path = f"{name}:{n}"
        if len(line) > max_line_chars and not line.endswith("\n"):
            size = len(line) + _skip_line(text)
            yield path, path.encode(), ValueError(f"record too large ({size} characters > {max_line_chars})")
            continue
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        try:
            yield path, line.encode("utf-8", errors="replace"), json.loads(line)
        except json.JSONDecodeError as exc:
            yield path, line.encode("utf-8", errors="replace"), ValueError(f"line {n} is not JSON ({exc.msg})")


def _skip_line(text: io.TextIOWrapper, chunk: int = 1 << 20) -> int:
    """Read past the rest of an over-long line, a chunk at a time; returns how many characters were skipped."""
    skipped = 0
    while True:
        part = text.readline(chunk)
        skipped += len(part)
        if not part or part.endswith("\n"):
            return skipped


class _Utf8:
    """A decoded text stream re-encoded as UTF-8 bytes, for ijson (which reads UTF-8) on a cp1252 or UTF-16 file."""

    def __init__(self, text: io.TextIOWrapper):
        self.text, self.pending = text, b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.pending) < size:
            part = self.text.read(65536)
            if not part:
                break
            self.pending += part.encode("utf-8")
        out, self.pending = (self.pending, b"") if size < 0 else (self.pending[:size], self.pending[size:])
        return out


def _json_records(fh, name, encoding) -> Iterator[tuple[str, bytes, object]]:
    import ijson  # imported here: only JSON exports pay for it

    source = fh if codecs.lookup(encoding).name == "utf-8" else _Utf8(_text(fh, encoding))
    events = ijson.parse(source, use_float=True)
    n = 0
    try:
        for n, record in enumerate(_top_level(events), 1):
            yield f"{name}:{n}", json.dumps(record, ensure_ascii=False, sort_keys=True).encode(), record
    except ijson.JSONError as exc:  # (IncompleteJSONError too): the file is broken from here on
        where = name if n == 0 else f"{name}:{n + 1}"
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        yield where, where.encode(), ValueError(f"not JSON ({reason[:200]})" if n == 0 else
                                                f"not JSON from record {n + 1} on ({reason[:200]})")


def _top_level(events) -> Iterator[object]:
    """The records: items of a top-level array, of the first LIST_KEYS array of a top-level object, or the value."""
    _, event, value = next(events, (None, None, None))
    if event is None:
        return
    if event == "start_array":
        yield from _items(events)
        return
    if event != "start_map":
        yield value
        return
    record, key, streamed = {}, None, False
    for _, event, value in events:
        if event == "map_key":
            key = value
        elif event == "end_map":
            break
        elif event == "start_array" and key in LIST_KEYS and not streamed:
            streamed = True
            yield from _items(events)
        elif streamed:
            _value(event, value, events)  # (read past what follows the records)
        else:
            record[key] = _value(event, value, events)
    if not streamed:
        yield record


def _items(events) -> Iterator[object]:
    for _, event, value in events:
        if event == "end_array":
            return
        yield _value(event, value, events)


def _value(event, value, events):
    """The whole value starting at this event (a map or array is built from its own events only)."""
    if event not in _OPEN:
        return value
    import ijson

    builder = ijson.ObjectBuilder()
    builder.event(event, value)
    depth = 1
    for _, event, value in events:
        builder.event(event, value)
        depth += (event in _OPEN) - (event in _CLOSE)
        if depth == 0:
            return builder.value
    raise ijson.IncompleteJSONError("file ends inside a record")
