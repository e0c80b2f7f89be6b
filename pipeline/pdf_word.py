"""Body text and metadata of a PDF (pypdf) or Word .docx file (python-docx): one document per file.

`pdf_text(raw)` and `docx_text(raw)` return `(text, meta)`: the body in reading order, paragraphs separated by a
blank line, and `title`/`published` from the file's own metadata where present (the PDF's Info dictionary, the
.docx core properties). A file that cannot give text raises `Unreadable` with the reason (encrypted, image-only,
broken); a .docx with no text gives "" (an empty document). Both libraries are pure Python parsers: nothing in the file is executed, rendered or fetched.

PDF text comes out one printed line per line; lines are joined back into paragraphs: a line ends its paragraph
when it is short next to the page's full lines (a heading, a paragraph's last line) and otherwise runs on, with a
line-end hyphen kept ("F-" + "35" is "F-35"; soft hyphens are not marked in PDF text, so "defence-" + "related"
stays "defence-related").
"""
from __future__ import annotations

import io
import logging
import re
import zipfile

PARAGRAPH_END = 0.8  # a line shorter than this share of the page's longest lines ends its paragraph
MAX_UNZIPPED = 200_000_000  # a .docx unpacking to more is refused (a zip bomb)


class Unreadable(Exception):
    """The file is of the type but gives no text; the message is the reason shown in documents.error."""


def pdf_text(raw: bytes) -> tuple[str, dict]:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings on odd files are our rejected rows
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):  # (an owner-only password opens with an empty one)
            raise Unreadable("encrypted PDF (a password is needed to read it)")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata or {}
    except Unreadable:
        raise
    except FileNotDecryptedError:
        raise Unreadable("encrypted PDF (a password is needed to read it)") from None
    except (PdfReadError, Exception) as exc:  # any parser failure on a damaged file is that file's problem
        raise Unreadable(f"broken PDF ({type(exc).__name__}: {str(exc)[:200]})") from None
    if not pages:
        raise Unreadable("broken PDF (no pages)")
    text = "\n\n".join(p for p in (paragraphs(page) for page in pages) if p)
    if not text.strip():
        raise Unreadable(f"PDF has no text layer ({len(pages)} page{'s' * (len(pages) > 1)} of images only; "
                         "scanned pages need OCR)")
    meta = {}
    title = _info(info, "/Title")
    if title:
        meta["title"] = title
    try:
        created = info.creation_date
    except Exception:  # no Info dictionary, or a date pypdf cannot read
        created = None
    if created is not None:
        meta["published"] = created.date().isoformat()
    return text, meta


def _info(info, key: str) -> str | None:
    try:
        value = info.get(key)
    except Exception:
        return None
    value = str(value).strip() if value is not None else ""
    return value or None


def paragraphs(page_text: str) -> str:
    """A page's printed lines joined into paragraphs (see the module docstring)."""
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in page_text.splitlines()]
    full = sorted((len(line) for line in lines if line), reverse=True)
    if not full:
        return ""
    width = full[min(len(full) - 1, len(full) // 4)]  # a long line of the page, robust to one odd wide line
    out, current = [], ""
    for line in lines:
        if not line:
            if current:
                out.append(current)
            current = ""
            continue
        current = line if not current else current + ("" if current.endswith("-") else " ") + line
        if len(line) < PARAGRAPH_END * width:
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return "\n\n".join(out)


def docx_text(raw: bytes) -> tuple[str, dict]:
    import docx
    from docx.table import Table

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            unzipped = sum(i.file_size for i in zf.infolist())
        if unzipped > MAX_UNZIPPED:
            raise Unreadable(f"Word file unpacks to {unzipped} bytes (> {MAX_UNZIPPED}; refused)")
        document = docx.Document(io.BytesIO(raw))
        parts = []
        for block in document.iter_inner_content():  # paragraphs and tables in reading order
            if isinstance(block, Table):
                for row in block.rows:
                    cells = list(dict.fromkeys(c.text.strip() for c in row.cells if c.text.strip()))
                    if cells:
                        parts.append(" | ".join(cells))
            elif block.text.strip():
                parts.append(block.text.strip())
        props = document.core_properties
        meta = {}
        if (props.title or "").strip():
            meta["title"] = props.title.strip()
        if props.created is not None:
            meta["published"] = props.created.date().isoformat()
    except Unreadable:
        raise
    except Exception as exc:  # not a zip, no document part, bad XML: that file's problem
        raise Unreadable(f"broken Word file ({type(exc).__name__}: {str(exc)[:200]})") from None
    return "\n\n".join(parts), meta
