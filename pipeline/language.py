"""The language of a document's cleaned text, and whether the pipeline reads it (the English model reads English).

`language_of(text, accepted, min_words)` returns `(language, error)`: the ISO 639-1 code by py3langid (langid.py's
model, shipped inside its wheel; nothing is downloaded) and, for a document that is clearly in another language,
the reason it is rejected ("language fr: not English"). Clearly means: the whole text is detected as a language
not in `accepted`, it has at least `min_words` words (a headline or a two-line brief is too short to tell), and
less than half of its paragraph text is in an accepted language (an English article quoting a French statement
is English, and its language is what most of its paragraphs are). Pure: same text, same answer.

py3langid ships its model LZMA-compressed and decompresses it at every load (about 1 s). `identifier()` keeps a
decompressed copy of the same arrays in a cache folder (`$DEFNEWS_CACHE_DIR`, else `$XDG_CACHE_HOME/defnews`, else
`~/.cache/defnews`), named by the py3langid version and the model file's hash, and maps it: the same model, the
same answers, loaded in a few milliseconds. Where no cache folder can be written, py3langid loads its own file.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from array import array
from functools import lru_cache
from pathlib import Path

MOSTLY = 0.5  # share of the paragraph text in accepted languages that makes a document "mostly" theirs


def detect(text: str) -> str | None:
    """ISO 639-1 code of the text's language, None for a text with no letters or no language (py3langid's "zxx")."""
    if not any(c.isalpha() for c in text):
        return None
    code = identifier().classify(text)[0]
    return code if len(code) == 2 else None


ARRAYS = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")  # (py3langid's model file layout)


@lru_cache(maxsize=1)
def identifier():
    """py3langid's `LanguageIdentifier` of its shipped model, loaded from the decompressed copy (made on first use);
    loaded only when a document needs a language check."""
    from importlib.metadata import version

    from py3langid import langid

    source = langid.MODEL_DIR / langid.MODEL_FILE
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    folder = cache_dir() / f"py3langid-{version('py3langid')}-{digest}"
    try:
        if not (folder / "classes.npy").is_file():
            _decompress(source, folder)
        return _load(folder, langid.LanguageIdentifier)
    except OSError:  # no cache folder to write: py3langid decompresses its model itself
        return langid._get_identifier()


def cache_dir() -> Path:
    root = os.environ.get("DEFNEWS_CACHE_DIR")
    if root:
        return Path(root)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "defnews"


def _decompress(source: Path, folder: Path) -> None:
    """The model's arrays as .npy files in `folder`, written whole (a temp folder renamed) or not at all."""
    import io
    import lzma

    import numpy as np

    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    with np.load(io.BytesIO(lzma.decompress(source.read_bytes())), allow_pickle=False) as data:
        for name in ARRAYS:
            np.save(tmp / f"{name}.npy", data[name], allow_pickle=False)
    try:
        os.replace(tmp, folder)
    except OSError:  # another process made it first
        for f in tmp.iterdir():
            f.unlink()
        tmp.rmdir()


def _load(folder: Path, cls):
    """What py3langid's own loader makes of the arrays (its DFA tables as stdlib arrays, NumPy for the scores);
    the score table is memory-mapped: classifying reads only the rows of the features it meets."""
    import numpy as np

    a = {name: np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False) for name in ARRAYS}

    def stdlib(x):
        out = array({2: "H", 4: "I", 8: "L"}[x.dtype.itemsize])
        out.frombytes(memoryview(np.ascontiguousarray(x)).cast("B"))
        return out

    return cls(np.asarray(a["ptc"]), np.array(a["pc"]), a["classes"].tolist(), stdlib(a["nextmove"]),
               a["out_feat"].tolist(), tk_row=stdlib(a["nextmove_row"]))


def language_name(code: str) -> str:
    import pycountry

    found = pycountry.languages.get(alpha_2=code)
    return found.name if found else code


def language_of(text: str, accepted: tuple[str, ...] | list[str], min_words: int) -> tuple[str | None, str | None]:
    language = detect(text)
    if language is None or language in accepted or len(text.split()) < min_words:
        return language, None
    shares: dict[str, int] = {}
    for paragraph in text.split("\n"):
        if paragraph.strip():
            code = detect(paragraph) or language
            shares[code] = shares.get(code, 0) + len(paragraph)
    total = sum(shares.values()) or 1
    if sum(n for code, n in shares.items() if code in accepted) / total >= MOSTLY:
        return max((c for c in shares if c in accepted), key=shares.get), None
    names = " or ".join(language_name(code) for code in accepted)
    return language, f"language {language}: not {names}"
