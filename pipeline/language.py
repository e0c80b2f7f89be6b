"""The language of a document's cleaned text, and whether the pipeline reads it (the English model reads English).

`language_of(text, accepted, min_words)` returns `(language, error)`: the ISO 639-1 code by py3langid (langid.py's
model, shipped inside its wheel; nothing is downloaded) and, for a document that is clearly in another language,
the reason it is rejected ("language fr: not English"). Clearly means: the whole text is detected as a language
not in `accepted`, it has at least `min_words` words (a headline or a two-line brief is too short to tell), and
less than half of its paragraph text is in an accepted language (an English article quoting a French statement
is English, and its language is what most of its paragraphs are). Pure: same text, same answer.
"""
from __future__ import annotations

MOSTLY = 0.5  # share of the paragraph text in accepted languages that makes a document "mostly" theirs


def detect(text: str) -> str | None:
    """ISO 639-1 code of the text's language, None for a text with no letters or no language (py3langid's "zxx")."""
    if not any(c.isalpha() for c in text):
        return None
    import py3langid  # imported here: its model (a NumPy archive) loads only when a new document needs it

    code = py3langid.classify(text)[0]
    return code if len(code) == 2 else None


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
