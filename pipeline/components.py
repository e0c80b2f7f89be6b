"""spaCy components of the defnews pipeline, registered as factories so a saved pipeline is self-describing.

- `defnews_attribute_ruler` (replaces the base model's `attribute_ruler`): spaCy's AttributeRuler with the same
  patterns and the same result, its matching indexed on each pattern's first token (see `IndexedAttributeRuler`).
- `defnews_paragraph_guard` (before the parser): a line break ends a sentence and no entity may span it, so
  "Türkiye\\nCombining Japan’s" can never become one ORG.
- `defnews_entity_resolver` (after ner): maps spaCy labels onto ours, fixes spans (possessives, leading "the",
  trailing class nouns), resolves every mention to a canonical key (`Span.kb_id_`, e.g. `COUNTRY:TUR`) and records
  what found it in `Span.id_` (registry, pattern, model). Labels outside ours (DATE, MONEY, ...) are kept as spaCy
  gave them, so later stages can read dates and quantities.

The registry data lives in the component (initialize/to_disk/from_disk), never loaded at import time.
"""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.pipeline import AttributeRuler, EntityRuler
from spacy.tokens import Doc, Span
from spacy.util import filter_spans, registry

from .gazetteer import GAZETTEER_FILES, PLACE_NAMES_FILE, Registry, fold, slug
from .labels import COUNTRY, ENTITY_LABELS, LOCATION, ORG, PERSON, WEAPON_CLASS_NOUNS, WEAPON_SYSTEM

SOURCE_REGISTRY, SOURCE_PATTERN, SOURCE_MODEL = "registry", "pattern", "model"

TITLE_WORDS = frozenset(
    "president minister secretary general gen. gen lt. col. adm. admiral chief commander prime defence defense "
    "foreign mr mr. mrs mrs. ms ms. dr dr. sir king queen prince sheikh marshal air chancellor premier senator "
    "governor mayor ambassador envoy spokesman spokeswoman spokesperson lieutenant colonel major captain sergeant "
    "gen. lt. col. maj. capt. sgt. rep. sen. gov. pres. acting deputy vice emir crown".split()
)
# Prepositions after which a capital names a place rather than its government.
LOCATIVE_PREPS = frozenset("in at to from near outside around across into inside within via toward towards".split())
ACTOR_DEPS = frozenset({"nsubj", "nsubjpass", "poss"})
ACTOR_PREPS = frozenset({"of", "with", "by", "between", "against"})
# Heads of "X of <capital>" that make the capital a place: directions, parts of a city, city offices.
PLACE_OF_HEADS = frozenset(
    "north south east west northeast northwest southeast southwest outskirts suburbs suburb centre center heart "
    "outside mayor governor prince princess emir sheikh".split()
)


@Language.factory("defnews_attribute_ruler",
                  default_config={"validate": False, "scorer": {"@scorers": "spacy.attribute_ruler_scorer.v1"}})
def make_indexed_attribute_ruler(nlp: Language, name: str, validate: bool, scorer) -> "IndexedAttributeRuler":
    return IndexedAttributeRuler(nlp.vocab, name, validate=validate, scorer=scorer)


@Language.factory("defnews_entity_ruler", assigns=["doc.ents", "token.ent_type", "token.ent_iob"],
                  default_config={"phrase_matcher_attr": None,
                                  "matcher_fuzzy_compare": {"@misc": "spacy.levenshtein_compare.v1"},
                                  "validate": False, "overwrite_ents": False, "ent_id_sep": "||",
                                  "scorer": {"@scorers": "spacy.entity_ruler_scorer.v1"}},
                  default_score_weights={"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0, "ents_per_type": None})
def make_keyed_entity_ruler(nlp: Language, name: str, phrase_matcher_attr, matcher_fuzzy_compare, validate: bool,
                            overwrite_ents: bool, ent_id_sep: str, scorer) -> "KeyedEntityRuler":
    return KeyedEntityRuler(nlp, name, phrase_matcher_attr=phrase_matcher_attr,
                            matcher_fuzzy_compare=matcher_fuzzy_compare, validate=validate,
                            overwrite_ents=overwrite_ents, ent_id_sep=ent_id_sep, scorer=scorer)


class _Phrase:
    """A phrase pattern restored from its keys: its text (what `EntityRuler.patterns` reads) and the token values
    the PhraseMatcher was given."""
    __slots__ = ("text", "keyword")

    def __init__(self, text: str, keyword: tuple):
        self.text, self.keyword = text, keyword


class KeyedEntityRuler(EntityRuler):
    """spaCy's EntityRuler (same patterns, config, matching and annotation) that saves, beside its patterns.jsonl,
    the patterns with each phrase pattern's token values (the PhraseMatcher's keys; `phrase_keys.msgpack`), and at
    load gives those to its PhraseMatcher (`PhraseMatcher.add` takes them as it takes a Doc's) instead of making a
    Doc of every pattern with the tokenizer (4,568 registry names: 0.25 s of every pipeline load, nearly all of it
    Doc creation). The matcher gets the same keys in the same order as `EntityRuler.from_disk` would give it. Keys
    saved by another spaCy release, or for another patterns.jsonl than the one beside them, are ignored: the
    patterns are then tokenised as spaCy does."""

    KEYS = "phrase_keys.msgpack"

    def to_disk(self, path, *, exclude=()):
        import hashlib

        import srsly
        from spacy import about

        super().to_disk(path, exclude=exclude)
        path = Path(path)
        keys = [list(p.keyword if isinstance(p, _Phrase) else self.phrase_matcher._convert_to_array(p))
                for phrases in self.phrase_patterns.values() for p in phrases]
        srsly.write_msgpack(path / self.KEYS, {
            "spacy": about.__version__, "patterns_sha256": hashlib.sha256((path / "patterns.jsonl").read_bytes())
            .hexdigest(), "patterns": self.patterns, "keys": keys})

    def from_disk(self, path, *, exclude=()):
        import hashlib

        import srsly
        from spacy import about
        from spacy.matcher import PhraseMatcher

        path = Path(path)
        try:
            saved = srsly.read_msgpack(path / self.KEYS)
            cfg = srsly.read_json(path / "cfg")
            current = hashlib.sha256((path / "patterns.jsonl").read_bytes()).hexdigest()
        except (OSError, ValueError):
            return super().from_disk(path, exclude=exclude)
        if saved.get("spacy") != about.__version__ or saved.get("patterns_sha256") != current:
            return super().from_disk(path, exclude=exclude)  # (patterns.jsonl is what counts)
        # EntityRuler.from_disk, then add_patterns, with the saved keys standing in for the pattern Docs
        self.clear()
        self.overwrite = cfg.get("overwrite", False)
        self.phrase_matcher_attr = cfg.get("phrase_matcher_attr")
        self.ent_id_sep = cfg.get("ent_id_sep", "||")
        self.phrase_matcher = PhraseMatcher(self.nlp.vocab, attr=self.phrase_matcher_attr)
        patterns = saved["patterns"]
        # (add_patterns gives a phrase pattern an id only when its id is truthy; a token pattern keeps its own)
        entries = [(e, "id" in e, None) for e in patterns if isinstance(e["pattern"], list)]
        phrases = [e for e in patterns if isinstance(e["pattern"], str)]
        entries += [(e, bool(e.get("id")), keyword) for e, keyword in zip(phrases, saved["keys"], strict=True)]
        for entry, has_id, keyword in entries:
            label = entry["label"]
            if has_id:
                ent_label = label
                label = self._create_label(label, entry["id"])
                self._ent_ids[self.matcher._normalize_key(label)] = (ent_label, entry["id"])
            if keyword is None:
                self.token_patterns[label].append(entry["pattern"])
                self.matcher.add(label, [entry["pattern"]])
            else:
                self.phrase_patterns[label].append(_Phrase(entry["pattern"], tuple(keyword)))
                self.phrase_matcher.add(label, [tuple(keyword)])
        return self


# Token attributes a pattern may test for the index to stand in for spaCy's Matcher: string attributes are compared
# as StringStore hashes, flags as 0/1, all read at once with `Doc.to_array`.
_INDEX_ATTRS = ("ORTH", "LOWER", "NORM", "TAG", "DEP", "LEMMA", "IS_SPACE", "IS_PUNCT", "IS_DIGIT")
_ALIASES = {"TEXT": "ORTH"}


class IndexedAttributeRuler(AttributeRuler):
    """spaCy's AttributeRuler (same patterns, serialisation, matches, order and attributes) with faster matching.

    The Matcher tries every pattern at every token: en_core_web_sm's 179 tag-map and exception patterns cost as
    much as its parser (1.1 s per 69k tokens). Here each pattern is filed under its first token's LOWER value
    (else TAG, else DEP), so a token meets only the few patterns that can start on it, and the token attributes
    are read in one `Doc.to_array` call; the tests are equality, IN, NOT_IN and REGEX on `_INDEX_ATTRS`. A pattern
    set using anything else (operators, other attributes) falls back to spaCy's Matcher. Matches are applied as
    spaCy applies them: all matches first, then attributes in pattern order (later patterns win). A test runs
    both over real articles and compares their matches and every token's tag, POS, morphology and lemma."""

    def match(self, doc: Doc):
        index = self._pattern_index()
        if index is None:
            return super().match(doc)
        by_lower, by_tag, by_dep, rest = index
        rows = doc.to_array(list(_INDEX_ATTRS)).tolist() if len(doc) else []
        lower, tag, dep = (_INDEX_ATTRS.index(a) for a in ("LOWER", "TAG", "DEP"))
        strings = self.vocab.strings
        found = set()
        n = len(rows)
        for i, row in enumerate(rows):
            for attr_id, tests in (*by_lower.get(row[lower], ()), *by_tag.get(row[tag], ()),
                                   *by_dep.get(row[dep], ()), *rest):
                if len(tests) == 1:  # (most patterns)
                    if _passes(row, tests[0], strings):
                        found.add((attr_id, i, i + 1))
                elif i + len(tests) <= n and all(_passes(rows[i + k], t, strings) for k, t in enumerate(tests)):
                    found.add((attr_id, i, i + len(tests)))
        return [(attr_id, strings[str(attr_id)], s, e) for attr_id, s, e in sorted(found)]

    def _pattern_index(self):
        """(by LOWER, by TAG, by DEP hash, the rest): lists of (attr_id, per-token tests); None: use the Matcher."""
        if getattr(self, "_index_of", None) == len(self.attrs):
            return self._index
        buckets: dict[int, dict[int, list]] = {_INDEX_ATTRS.index(a): {} for a in ("LOWER", "TAG", "DEP")}
        rest: list = []
        index = (*buckets.values(), rest)
        for attr_id in range(len(self.attrs)):
            for pattern in self.matcher.get(str(attr_id))[1]:
                tests = [_tests(spec, self.vocab.strings) for spec in pattern]
                if not tests or None in tests:
                    index = None
                    break
                first = {col: arg for col, kind, arg in tests[0] if kind == "in"}
                for col, bucket in buckets.items():
                    if col in first:
                        for value in first[col]:
                            bucket.setdefault(value, []).append((attr_id, tests))
                        break
                else:
                    rest.append((attr_id, tests))
            if index is None:
                break
        self._index, self._index_of = index, len(self.attrs)
        return index


def _tests(spec: dict, strings):
    """A token spec as ((column, kind, argument), ...), kind "in" (equality or IN), "not_in" or "regex" (re.search
    on the string, as the Matcher does); None when it uses anything the index cannot test."""
    out = []
    for key, value in spec.items():
        key = _ALIASES.get(key.upper(), key.upper())
        if key not in _INDEX_ATTRS:
            return None
        col = _INDEX_ATTRS.index(key)
        code = (lambda v: int(bool(v))) if key.startswith("IS_") else strings.add
        if not isinstance(value, dict):
            out.append((col, "in", frozenset([code(value)])))
        elif len(value) == 1 and ("IN" in value or "NOT_IN" in value):
            op = next(iter(value))
            out.append((col, op.lower(), frozenset(code(v) for v in value[op])))
        elif len(value) == 1 and "REGEX" in value and not key.startswith("IS_"):
            out.append((col, "regex", re.compile(value["REGEX"])))
        else:
            return None
    return tuple(out)


def _passes(row: list[int], tests, strings) -> bool:
    for col, kind, arg in tests:
        value = row[col]
        if kind == "in":
            if value not in arg:
                return False
        elif kind == "not_in":
            if value in arg:
                return False
        elif not arg.search(strings[value]):
            return False
    return True


@registry.misc("defnews.longest_ents_filter.v1")
def make_longest_ents_filter():
    return longest_ents_filter


def longest_ents_filter(entities: list[Span], spans: list[Span]) -> list[Span]:
    """The pattern ruler's choice between the entities already set (registry names) and its own matches: a match wins
    over the registry names it contains ("RAF Akrotiri" over "RAF", "Ebbing Air National Guard Base" over "National
    Guard"), except a maker's name before its product ("Boeing P-8A": Boeing stays the maker); a registry name wins
    over a match it only overlaps. Among the matches, the longest wins."""
    kept = list(entities)
    for span in filter_spans(spans):
        hit = [e for e in kept if e.start < span.end and span.start < e.end]
        if all(span.start <= e.start and e.end <= span.end and len(e) < len(span)
               and not (span.label_ == WEAPON_SYSTEM and e.label_ == ORG) for e in hit):
            kept = [e for e in kept if e not in hit] + [span]
    return sorted(kept, key=lambda e: e.start)


@Language.factory("defnews_paragraph_guard", default_config={})
def make_paragraph_guard(nlp: Language, name: str) -> "ParagraphGuard":
    return ParagraphGuard()


# "BANGKOK, July 24, 2025 - Thailand launched …": a dateline is no part of the first sentence.
DATELINE = re.compile(r"(?m)^[A-Z][A-Z .'’-]{1,30}(?:,[^\n–—-]{0,40}|\s*\([A-Za-z ]{2,20}\))\s+[-–—]\s")


class ParagraphGuard:
    """Marks line breaks and the dash after a dateline as sentence ends and as outside any entity (before the
    parser and ner run)."""

    def __call__(self, doc: Doc) -> Doc:
        breaks = [t for t in doc if t.is_space and "\n" in t.text]
        for m in DATELINE.finditer(doc.text):
            dash = doc.char_span(m.end() - 2, m.end() - 1)
            if dash is not None:
                breaks.append(dash[0])
        for t in breaks:
            t.is_sent_start = True if t.i == 0 else t.is_sent_start
            if t.i + 1 < len(doc):
                doc[t.i + 1].is_sent_start = True
        if breaks:
            doc.set_ents(list(doc.ents), outside=[doc[t.i : t.i + 1] for t in breaks], default="unmodified")
        return doc


@Language.factory(
    "defnews_entity_resolver",
    default_config={},
    assigns=["doc.ents", "token.ent_kb_id", "token.ent_id"],
)
def make_entity_resolver(nlp: Language, name: str) -> "EntityResolver":
    return EntityResolver(name)


@dataclass
class _Mention:
    start: int  # token offsets
    end: int
    label: str
    key: str
    source: str


class EntityResolver:
    def __init__(self, name: str):
        self.name = name
        self.registry: Registry | None = None
        self._dir: Path | None = None

    # --- lifecycle: data comes from models/gazetteers at initialize, from the pipeline dir afterwards ----------
    def initialize(self, get_examples=None, *, nlp=None, gazetteer_dir: str = "models/gazetteers"):
        self._dir = Path(gazetteer_dir)
        self.registry = Registry.from_dir(self._dir)

    def to_disk(self, path, *, exclude=()):
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for name in GAZETTEER_FILES:
            src = self._dir / name
            if src.exists():
                shutil.copyfile(src, path / name)
        # the place names, computed once here, so that loading the pipeline reads one small file
        (path / PLACE_NAMES_FILE).write_text("\n".join(self.registry.place_names_lines()) + "\n", encoding="utf-8")

    def from_disk(self, path, *, exclude=()):
        self._dir = Path(path)
        self.registry = Registry.from_dir(self._dir)
        return self

    # --- the work ----------------------------------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        if self.registry is None:
            raise ValueError("defnews_entity_resolver has no registry: call nlp.initialize() or load a built pipeline")
        return resolve_entities(doc, self.registry)


def resolve_entities(doc: Doc, reg: Registry) -> Doc:
    """Relabel and resolve doc.ents in place (see module docstring); returns the doc."""
    mentions: list[_Mention] = []
    others: list[Span] = []
    for ent in doc.ents:
        for m in _classify(doc, ent, reg):
            if m is None:
                continue
            if isinstance(m, Span):
                others.append(m)
            else:
                mentions.append(m)
    _places_named_as_people(doc, mentions, reg)
    mentions += _places_by_cue(doc, mentions, others)
    mentions = _join_place_names(doc, mentions)
    mentions += _outlets_by_descriptor(doc, mentions, others, reg)
    _ships_named_after_places(doc, mentions, reg)
    mentions += _country_backfill(doc, mentions, others, reg)
    mentions += _people_after_titles(doc, mentions, reg)
    mentions += _coordinated_designations(doc, mentions, reg)
    mentions = _extend_weapon_variants(doc, mentions, reg)
    _military_units(doc, mentions, others)
    mentions = _extend_companies(doc, mentions, reg)
    mentions += _acronym_mentions(doc, mentions)
    _resolve_capitals(doc, mentions, reg)
    _merge_short_names(doc, mentions, others)
    _merge_weapon_families(mentions, reg)
    mentions += _systems_by_context(doc, mentions, reg)
    _own_generic_institutions(doc, mentions)
    spans = [Span(doc, m.start, m.end, label=m.label, kb_id=m.key, span_id=m.source) for m in mentions]
    taken = {i for s in spans for i in range(s.start, s.end)}
    spans += [s for s in others if not any(i in taken for i in range(s.start, s.end))]
    doc.set_ents(_non_overlapping(spans), default="outside")
    return doc


def _trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Drop whitespace, punctuation, determiners and possessive endings at the edges of a span."""
    while start < end and (doc[start].is_space or doc[start].is_punct or doc[start].lower_ in ("the", "a", "an")):
        start += 1
    while end > start and (doc[end - 1].is_space or doc[end - 1].is_punct or doc[end - 1].lower_ in ("'s", "’s", "'")):
        end -= 1
    return start, end


def _classify(doc: Doc, ent: Span, reg: Registry):
    """Yield _Mention objects (ours), Spans (other spaCy labels to keep) or None (dropped) for one spaCy entity."""
    start, end = _trim(doc, ent.start, ent.end)
    if start >= end:
        return
    label = ent.label_
    # A ruler hit from the registry or a designation pattern: label and key are known.
    if ent.ent_id_:
        if ent.ent_id_ == "pattern:place-suffix":  # "Kursk region" -> the place "Kursk"
            start, end = _trim_place(doc, start, end, reg)
            if start < end:
                yield _Mention(start, end, LOCATION, f"{LOCATION}:{slug(doc[start:end].text)}", SOURCE_PATTERN)
        elif ent.ent_id_ == "pattern:place-before-base":  # "the Caslav air base" -> the place "Caslav"
            while end > start + 1 and doc[end - 1].is_lower:
                end -= 1
            yield _Mention(start, end, LOCATION, f"{LOCATION}:{slug(doc[start:end].text)}", SOURCE_PATTERN)
        elif ent.ent_id_.startswith("pattern:place-"):  # "Luke Air Force Base", "RAF Akrotiri": the whole name
            yield _Mention(start, end, LOCATION, f"{LOCATION}:{slug(doc[start:end].text)}", SOURCE_PATTERN)
        elif ent.ent_id_.startswith("pattern:org-"):  # "Rheinmetall Landsysteme GmbH": a company by its legal form
            names = (fold(doc[start:end].text), fold(doc[start : end - 1].text))  # with and without the suffix
            known = next((reg.org_by_name[n] for n in names if n in reg.org_by_name), None)
            yield _Mention(start, end, ORG, f"{ORG}:{known or slug(doc[start:end].text)}",
                           SOURCE_REGISTRY if known else SOURCE_PATTERN)
        elif ent.ent_id_.startswith("pattern:"):
            if ent.ent_id_ != "pattern:class-name":  # "Ula-class" is the name; "KJ-600 early-warning aircraft" is not
                start, end = _trim_class_nouns(doc, start, end)
            if start < end:
                key = _weapon_key(doc[start:end].text, reg)
                known = key.split(":", 1)[1] in reg.weapons
                yield _Mention(start, end, WEAPON_SYSTEM, key, SOURCE_REGISTRY if known else SOURCE_PATTERN)
        else:
            yield _Mention(start, end, label, ent.ent_id_, SOURCE_REGISTRY)
        return
    if label == "EVENT" and doc[end - 1].lower_ in UNIT_WORDS:
        label = "ORG"  # "the Satakunta Air Wing" read as an event: a unit (see `_military_units`)
    if label not in ("PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT"):
        yield Span(doc, start, end, label=label)
        return
    # "Japan’s Kyodo", "Baykar’s Bayraktar": split a possessive owner the gazetteers know off the front of the span
    # ("National People's Congress", "Workers' Party" stay whole).
    for i in range(start, end - 1):
        if (doc[i].tag_ == "POS" or doc[i].lower_ in ("'s", "’s")) and _known_owner(doc[start:i].text, reg):
            yield from _classify_text(doc, start, i, label, reg)
            yield from _classify_text(doc, i + 1, end, label, reg)
            return
    yield from _classify_text(doc, start, end, label, reg)


def _title_cased(sent: Span) -> bool:
    """A headline in Title Case: most of its words capitalised."""
    words = [t for t in sent if t.is_alpha]
    return len(words) >= 3 and sum(t.is_title or t.is_upper for t in words) > 0.6 * len(words)


def _classify_text(doc: Doc, start: int, end: int, label: str, reg: Registry):
    start, end = _trim(doc, start, end)
    # "The Ministry of Defence (Mindef) announced": a name ends where a bracket opens
    end = next((i for i in range(start + 1, end) if doc[i].text == "("), end)
    start, end = _trim(doc, start, end)
    if start >= end:
        return
    if label in ("ORG", "PERSON", "GPE", "LOC") and not any(t.text[:1].isupper() or t.like_num for t in doc[start:end]):
        return  # "its defense project promotion committee": no capital, no proper name
    text = doc[start:end].text
    if label == "ORG" and start >= 2 and doc[start - 1].lower_ == "of" and _is_title(doc[start - 2], reg) and (
            reg.is_stopword("PORTFOLIO", text) or not any(t.lower_ in ORG_WORDS for t in doc[start:end])):
        # "Secretary of State", "Minister of National Defense", "Director of Public Relations and Information":
        # the title's portfolio, no organisation
        return
    if label == "ORG":
        # "the populist ANO party", "the Houthi rebels": lower-case words after a name are no part of it
        while end - start > 1 and doc[end - 1].is_lower and doc[end - 1].is_alpha:
            end -= 1
        # "reported by The Globe and Mail": a capital "The" inside a sentence is part of the name
        if start > 0 and doc[start - 1].text == "The" and not doc[start - 1].is_sent_start \
                and not _title_cased(doc[start - 1].sent):  # (not in a headline's Title Case)
            start -= 1
        text = doc[start:end].text
    if label == "ORG" and reg.is_generic_institution(text):
        # "the Defence Ministry", "in Parliament": the owner's ("Japan’s Defence Ministry"), else the country the
        # document names most (filled in by `_own_generic_institutions`)
        owner = _owner_before(doc, start, reg)
        yield _Mention(start, end, ORG, f"{ORG}:{(owner or '?').lower()}-{slug(text)}", SOURCE_MODEL)
        return
    if label == "ORG" and reg.is_stopword(ORG, text):
        owner = _owner_before(doc, start, reg)
        if owner:  # "Japan’s Defence Ministry", "Kuwait's Ministry of Defence": a generic institution, owned
            yield _Mention(start, end, ORG, f"{ORG}:{owner.lower()}-{slug(text)}", SOURCE_MODEL)
        return
    if reg.is_stopword(label, text) or reg.is_stopword("*", text):
        return
    if end - start > 1 and doc[end - 1].text in EVENT_HEADS:
        return  # "Navy Day", "the Abraham Accords": events and agreements are no entities
    if label in ("ORG", "PERSON") and all(_is_title(t, reg) or t.is_punct for t in doc[start:end]):
        return  # "Rear Adm.", "Air Marshal": a title alone names no one
    key = fold(text)
    if key in reg.weapon_by_name:
        yield _Mention(start, end, WEAPON_SYSTEM, f"{WEAPON_SYSTEM}:{reg.weapon_by_name[key]}", SOURCE_REGISTRY)
        return
    if key in reg.org_by_name and label not in ("GPE", "NORP"):
        yield _Mention(start, end, ORG, f"{ORG}:{reg.org_by_name[key]}", SOURCE_REGISTRY)
        return
    iso = reg.country_iso3(text, demonyms=label == "NORP" or label == "GPE")
    if iso is None and label in ("NORP", "GPE", "ORG", "PERSON") and len(text.split()) == 1:
        iso = reg.country_by_demonym.get(key) if label != "PERSON" else None
    if iso is not None:
        if reg.is_sovereign(iso):
            yield _Mention(start, end, COUNTRY, f"{COUNTRY}:{iso}", SOURCE_MODEL)
        else:
            yield _Mention(start, end, LOCATION, f"{LOCATION}:{slug(text)}", SOURCE_MODEL)
        return
    if label == "NORP":
        return  # a nationality we cannot tie to a state, a religion or a party: not an entity of ours
    if label in ("ORG", "PERSON") and key in reg.country_by_capital:
        label = "GPE"  # "BERN, June 30 -" tagged ORG: a capital is a place (or, as an actor, its country)
    if label in ("GPE", "LOC", "FAC"):
        start, end = _trim_place(doc, start, end, reg)
        if start < end:
            yield _Mention(start, end, LOCATION, f"{LOCATION}:{slug(doc[start:end].text)}", SOURCE_MODEL)
    elif label == "ORG" and reg.country_by_demonym.get(fold(doc[start].text)) and all(
        t.lower_ in TITLE_WORDS for t in doc[start + 1 : end]
    ):  # "Philippine Defence" cut out of "Philippine Defence Secretary": the demonym, and a title
        yield _Mention(start, start + 1, COUNTRY, f"{COUNTRY}:{reg.country_by_demonym[fold(doc[start].text)]}",
                       SOURCE_MODEL)
    elif label == "ORG" and _after_title(doc, start, reg) and _looks_like_name(doc, start, end, reg):
        # "President Sauli Niinistö" tagged ORG: a name right after a person's title is the person
        yield _Mention(start, _name_end(doc, start, end, reg), PERSON, f"{PERSON}:{slug(text)}", SOURCE_MODEL)
    elif label == "ORG" and _in_place_slot(doc[start:end]) and not any(t.lower_ in ORG_WORDS for t in doc[start:end]):
        # "at Surat Thani", "near the Preah Vihear temple": an unknown name where places go is a place
        yield _Mention(start, end, LOCATION, f"{LOCATION}:{slug(text)}", SOURCE_MODEL)
    elif label == "ORG":
        yield _Mention(start, end, ORG, f"{ORG}:{slug(text)}", SOURCE_MODEL)
    elif label == "PERSON" and end - start > 1 and doc[end - 1].like_num:
        yield from _classify_text(doc, start, end - 1, "GPE", reg)  # "Denmark 19" (jets): a name and a number
    elif label == "PERSON":
        start = _strip_titles(doc, start, end, reg)
        # "Rustem Umerov" when the model only took "Umerov": given names it left out, before the surname
        while (start > 0 and doc[start - 1].pos_ == "PROPN" and doc[start - 1].is_title and not doc[start - 1].ent_type_
               and not _is_title(doc[start - 1], reg) and doc[start - 1].dep_ == "compound"
               and start <= doc[start - 1].head.i < end):
            start -= 1
        end = _name_end(doc, start, end, reg)
        if start < end and any(t.is_alpha and t.text[0].isupper() for t in doc[start:end]):
            yield _Mention(start, end, PERSON, f"{PERSON}:{slug(doc[start:end].text)}", SOURCE_MODEL)
    elif label == "PRODUCT":
        start, end = _trim_class_nouns(doc, start, end)
        if start < end and any(c.isdigit() for c in doc[start:end].text):
            yield _Mention(start, end, WEAPON_SYSTEM, _weapon_key(doc[start:end].text, reg), SOURCE_MODEL)
        elif start < end and reg.place_names.get(fold(doc[start:end].text)) and _after_locative(doc[start:end]):
            # "launched from Primorsko-Akhtarsk and Kursk": a city of the place gazetteer after a locative
            yield _Mention(start, end, LOCATION, f"{LOCATION}:{slug(doc[start:end].text)}", SOURCE_MODEL)


ORG_WORDS = frozenset(
    "ministry council force forces army navy agency company corporation group industries systems party union "
    "organisation organization institute university bank committee command department office service news "
    "association alliance front movement aerospace defence defense technologies inc ltd corp plc guard corps "
    "administration authority commission court parliament assembly government brigade battalion division "
    "regiment wing fleet squadron".split()
)


def _after_locative(span: Span) -> bool:
    """The phrase, or the one it is coordinated with, is the object of a locative preposition ("launched from
    Primorsko-Akhtarsk and Kursk")."""
    t = span.root
    while t.dep_ == "conj" and t.head != t:
        t = t.head
    return t.dep_ == "pobj" and t.head.lower_ in LOCATIVE_PREPS


def _in_place_slot(span: Span) -> bool:
    """The phrase is the object of a locative preposition ("at X", "near the X temple")."""
    t = span.root
    while t.dep_ in ("compound", "amod", "nmod") and t.head != t:
        t = t.head
    return t.dep_ == "pobj" and t.head.lower_ in LOCATIVE_PREPS - {"to", "from"}


def _trim_place(doc: Doc, start: int, end: int, reg: Registry) -> tuple[int, int]:
    """"Surin province" -> "Surin", "In Kursk" -> "Kursk": generic words at the edges of a place name (a capitalised
    one is part of the name: "Niger State")."""
    while start < end and doc[start].is_stop:
        start += 1
    while end > start + 1 and doc[end - 1].is_lower and reg.is_stopword("LOCATION_SUFFIX", doc[end - 1].text):
        end -= 1
    return start, end


def _known_owner(text: str, reg: Registry) -> bool:
    """A possessive's owner the gazetteers name: a country (or its capital), a registry organisation or system."""
    key = fold(text)
    return bool(reg.country_iso3(text, capitals=True) or key in reg.org_by_name or key in reg.weapon_by_name)


def _owner_before(doc: Doc, start: int, reg: Registry) -> str | None:
    """The country whose possessive stands right before a phrase ("Japan’s" in "Japan’s Defence Ministry")."""
    if start >= 2 and doc[start - 1].lower_ in ("'s", "’s"):
        j = start - 2
        while j > 0 and doc[j].ent_iob_ == "I":  # back to the first word of the owner's name
            j -= 1
        return reg.country_iso3(doc[j : start - 1].text, demonyms=False)
    return None


def _trim_class_nouns(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """"F-16 fighter jets" -> "F-16", "KJ-600 early-warning aircraft" -> "KJ-600": class nouns and the lower-case
    words before them are no part of a system's name."""
    while end > start + 1 and (doc[end - 1].lower_ in WEAPON_CLASS_NOUNS or doc[end - 1].is_lower
                               or doc[end - 1].text == "-"):
        end -= 1
    return start, end


# Last words of names of events and agreements, which are no entities ("Navy Day", "Abraham Accords").
EVENT_HEADS = frozenset("Day Accords Accord Agreement Treaty Summit Dialogue Games Olympics".split())

# Words that end a person's name when they follow it ("Biden administration", "Modi cabinet").
NAME_STOP = frozenset("administration government cabinet camp family foundation".split())


def _name_word(t, reg: Registry, *, inside: bool = False) -> bool:
    """A capitalised proper-noun word that can continue a person's name (no title, organisation word, country or
    known organisation); unless `inside` a span, not a word of another entity (a NORP or PERSON the model cut off
    excepted)."""
    return (t.is_alpha and t.is_title and t.pos_ == "PROPN" and (inside or t.ent_type_ in ("", "NORP", "PERSON"))
            and not _is_title(t, reg) and t.lower_ not in ORG_WORDS and t.lower_ not in NAME_STOP
            and reg.country_iso3(t.text) is None and fold(t.text) not in reg.org_by_name)


def _surname_as_place(doc: Doc, i: int, reg: Registry) -> bool:
    """"Sanjay Jasjit" + "Singh" (GPE): a word the model tagged as a place is the head of the name before it."""
    return (doc[i].ent_type_ in ("GPE", "LOC") and doc[i].ent_iob_ == "B" and doc[i - 1].dep_ == "compound"
            and doc[i - 1].head.i == i and (i + 1 >= len(doc) or doc[i + 1].ent_iob_ != "I")
            and _name_word(doc[i], reg, inside=True))


def _name_end(doc: Doc, start: int, end: int, reg: Registry) -> int:
    """"Choe Son" + "Hui", "Gen Qamar" + "Javed Bajwa", "Moon Jae" + "-in": name words the model left off the end of
    a person's name (its own next PERSON entity excepted)."""
    while end < len(doc) and doc[end - 1].whitespace_ == "" and doc[end].text in ("-", "‑") and end + 1 < len(doc) \
            and doc[end].whitespace_ == "" and doc[end + 1].is_lower and doc[end + 1].is_alpha and len(doc[end + 1]) <= 4:
        end += 2  # "Jae-in", "Dae-jung": the lower-case second part of a hyphenated Korean given name
    while (end < len(doc) and doc[end - 1].whitespace_ and (_name_word(doc[end], reg) or _surname_as_place(doc, end, reg))
           and not (doc[end].ent_type_ == "PERSON" and doc[end].ent_iob_ == "B")
           and not (doc[end].ent_type_ == "NORP" and reg.country_by_demonym.get(fold(doc[end].text)))):
        end += 1
    return end


def _after_title(doc: Doc, start: int, reg: Registry) -> bool:
    """A title right before ("President Sauli Niinistö", "U.N. special envoy Volker Perthes")."""
    return start > 0 and _is_title(doc[start - 1], reg)


def _looks_like_name(doc: Doc, start: int, end: int, reg: Registry) -> bool:
    """Two or three capitalised proper-noun words, none an organisation word, title, country or known name."""
    return (2 <= end - start <= 3 and all(_name_word(t, reg, inside=True) for t in doc[start:end])
            and fold(doc[start:end].text) not in reg.org_by_name)


def _strip_titles(doc: Doc, start: int, end: int, reg: Registry) -> int:
    """"President Joe Biden" -> "Joe Biden": titles (ours and the stoplist's PERSON_TITLE words) off the front."""
    while start < end - 1 and _is_title(doc[start], reg):
        start += 1
    return start


def _is_title(token, reg: Registry) -> bool:
    return token.lower_ in TITLE_WORDS or reg.is_stopword("PERSON_TITLE", token.text)


def _systems_by_context(doc: Doc, mentions: list[_Mention], reg: Registry) -> list[_Mention]:
    """A name that is a system only in context (the registry's `context_aliases`: "Typhoon", also a storm) is the
    system where the document names that system otherwise ("the Eurofighter Typhoon … 40 Typhoons") or a number
    stands before it ("24 Typhoons"): a mention the model gave another label is relabelled, an untagged word added.
    Returns the added mentions."""
    aliases = reg.weapon_by_context_alias
    if not aliases:
        return []
    named = {m.key for m in mentions if m.label == WEAPON_SYSTEM}

    def system(start: int, end: int) -> str | None:
        text = fold(doc[start:end].text)
        wid = aliases.get(text) or (aliases.get(text[:-1]) if text.endswith("s") else None)
        if wid is None:
            return None
        key = f"{WEAPON_SYSTEM}:{wid}"
        return key if key in named or (start > 0 and doc[start - 1].like_num) else None

    for m in mentions:
        if m.label in (ORG, PERSON, LOCATION) and m.source == SOURCE_MODEL and (key := system(m.start, m.end)):
            m.label, m.key, m.source = WEAPON_SYSTEM, key, SOURCE_REGISTRY
    taken = {i for m in mentions for i in range(m.start, m.end)}
    return [_Mention(t.i, t.i + 1, WEAPON_SYSTEM, key, SOURCE_REGISTRY) for t in doc
            if t.i not in taken and t.is_title and t.ent_type_ in ("", "WORK_OF_ART", "PRODUCT", "EVENT", "FAC")
            and (key := system(t.i, t.i + 1))]  # (a mention wins over the model's other spans)


# Words that join the parts of one place name: "Komsomolsk-on-Amur", "São Bernardo do Campo", "Frankfurt am Main".
PLACE_JOINERS = frozenset("on upon sur am an der do da dos das de del di".split())
HYPHEN_ONLY_JOINERS = frozenset("on upon sur an".split())


def _join_place_names(doc: Doc, mentions: list[_Mention]) -> list[_Mention]:
    """A place the model cut at a joining word ("Komsomolsk" + "-on-" + "Amur", "São Bernardo" + "do" + "Campo")
    is one place: the place, the joiner (hyphens around it, when written so) and the capitalised word after it,
    with whatever mention the model gave that word."""
    by_start = {m.start: m for m in mentions}
    dropped: set[int] = set()
    for m in mentions:
        if m.label != LOCATION or id(m) in dropped:
            continue
        i = m.end
        hyphen = i < len(doc) and doc[i].text == "-" and doc[i - 1].whitespace_ == ""
        j = i + 1 if hyphen else i
        if j >= len(doc) or doc[j].lower_ not in PLACE_JOINERS or not doc[j].is_lower:
            continue
        k = j + 1 + (hyphen and j + 1 < len(doc) and doc[j + 1].text == "-")
        if k >= len(doc) or not doc[k].is_title or (hyphen and doc[k - 1].whitespace_) or doc[k].is_sent_start \
                or doc[k].ent_type_ in ("DATE", "TIME", "CARDINAL", "ORDINAL", "PERSON") \
                or (not hyphen and doc[j].lower_ in HYPHEN_ONLY_JOINERS):
            continue  # ("Kyiv on Monday", "Lviv on Tuesday": "on" joins a name only written with hyphens)
        if hyphen != (doc[j - 1].whitespace_ == "" and doc[j].whitespace_ == ""):
            continue  # "-on-" written together, or "do" between spaces: never one of each
        other = by_start.get(k)
        end = other.end if other is not None else k + 1
        if other is not None:
            dropped.add(id(other))
        m.end, m.key = end, f"{LOCATION}:{slug(doc[m.start:end].text)}"
    return [m for m in mentions if id(m) not in dropped]


def _places_named_as_people(doc: Doc, mentions: list[_Mention], reg: Registry) -> None:
    """"Near Palmyra, five strikes …", "Raqqah": a PERSON or ORG the model found whose name is a city or region of
    the place gazetteer (an ORG: its main name) is a LOCATION, unless the document names a person with that word ("Lloyd Austin" makes
    "Austin" the person), a title stands before it or the name is an acronym."""
    places = reg.place_names
    people = [m for m in mentions if m.label == PERSON and m.end - m.start > 1]
    for m in mentions:
        if m.label not in (PERSON, ORG) or m.source != SOURCE_MODEL:
            continue
        start = m.start + (doc[m.start].lower_ in LOCATIVE_PREPS and m.end - m.start > 1)
        text = doc[start : m.end].text
        main = places.get(fold(text))  # an ORG must be a place's main name; alternates ("Cosco") are too loose
        if main is None or (m.label == ORG and not main) or text.isupper() or (
                start > 0 and _is_title(doc[start - 1], reg)):
            continue
        words = {doc[i].text for i in range(start, m.end)}
        if any(p is not m and words & {doc[i].text for i in range(p.start, p.end)} for p in people):
            continue
        m.start, m.label, m.key = start, LOCATION, f"{LOCATION}:{slug(text)}"


# "the port city of Hodeidah", "the island of Gran Canaria": nouns whose "of" names a place.
PLACE_NOUNS = frozenset("city town village port island capital province region district county state".split())
# Nouns of a facility: a name after them and "at", "in" or "near" is a place ("an airfield at Abbs", "the plant in
# Getafe"), whatever the model called it.
FACILITY_NOUNS = frozenset("airfield airport airbase base port plant factory shipyard facility camp depot".split())
# "flew to Ushuaia", "travelled to AlUla": verbs whose "to" names a place.
MOTION_VERBS = frozenset("fly travel go head arrive return move journey sail".split())


def _places_by_cue(doc: Doc, mentions: list[_Mention], others: list[Span]) -> list[_Mention]:
    """A name after "the city of" (town, port, island, …) or after a verb of travel and "to" is a place, whatever
    the model called it or if it found nothing there ("the neighbouring city of Omdurman", "flew to Ushuaia")."""
    by_start = {m.start: m for m in mentions}
    taken = {i for m in mentions for i in range(m.start, m.end)}
    added = []
    for t in doc[:-2]:
        cue = (t.lower_ in PLACE_NOUNS and doc[t.i + 1].lower_ == "of") or (
            t.lower_ == "to" and t.head.lemma_ in MOTION_VERBS and t.head.i < t.i) or (
            t.lower_ in ("at", "in", "near") and t.head.lemma_ in FACILITY_NOUNS and t.head.i == t.i - 1)
        if not cue:
            continue
        k = t.i + 1 + (doc[t.i + 1].lower_ == "of")
        end = k
        while end < len(doc) and _capitalised(doc[end]) and doc[end].pos_ == "PROPN" and doc[end].sent == t.sent:
            end += 1
        if end == k:
            continue
        m = by_start.get(k)
        if m is not None and m.end == end and m.label in (PERSON, ORG) and m.source == SOURCE_MODEL:
            m.label, m.key = LOCATION, f"{LOCATION}:{slug(doc[k:end].text)}"
        elif not any(i in taken for i in range(k, end)):
            added.append(_Mention(k, end, LOCATION, f"{LOCATION}:{slug(doc[k:end].text)}", SOURCE_MODEL))
            taken.update(range(k, end))
            others[:] = [o for o in others if not (o.start < end and k < o.end)]
    return added


def _cue_words(reg: Registry, name: str) -> frozenset[str]:
    return frozenset(fold(w) for w in reg.stoplist.get(name, ()))


def _outlets_by_descriptor(doc: Doc, mentions: list[_Mention], others: list[Span], reg: Registry) -> list[_Mention]:
    """A name right after what a news outlet is called, in a phrase with a determiner ("the French business daily La
    Tribune", "the state news agency Wam", "The US magazine Foreign Policy") is an organisation, whatever the model
    called it (the stoplist's MEDIA_NOUN). Returns the added mentions."""
    nouns = _cue_words(reg, "MEDIA_NOUN")
    by_start = {m.start: m for m in mentions}
    taken = {i for m in mentions for i in range(m.start, m.end)}
    added = []
    for t in doc[:-1]:
        if fold(t.text) not in nouns or not t.is_lower or not any(
                d.lower_ in ("the", "a", "an") for d in doc[max(t.sent.start, t.i - 5) : t.i]):
            continue
        k = end = t.i + 1
        while end < len(doc) and _capitalised(doc[end]) and doc[end].pos_ == "PROPN" and doc[end].sent == t.sent:
            end += 1
        if end == k or reg.country_iso3(doc[k:end].text) is not None:
            continue
        key = f"{ORG}:{reg.org_by_name.get(fold(doc[k:end].text)) or slug(doc[k:end].text)}"
        m = by_start.get(k)
        if m is not None and m.end == end and m.label in (PERSON, ORG, LOCATION) and m.source == SOURCE_MODEL:
            m.label, m.key = ORG, key
        elif not any(i in taken for i in range(k, end)):
            added.append(_Mention(k, end, ORG, key, SOURCE_MODEL))
            taken.update(range(k, end))
            others[:] = [o for o in others if not (o.start < end and k < o.end)]
    return added


def _ships_named_after_places(doc: Doc, mentions: list[_Mention], reg: Registry) -> None:
    """A place name with "the" that is in apposition to a kind of ship ("The Liaoning, China's first carrier",
    "China's two carriers, the Liaoning and the Shandong") or stands in front of one ("the Fujian carrier") names a
    ship (Chinese carriers are named after provinces, many warships after cities): it and the document's other
    mentions of it with "the" are the platform (WEAPON_SYSTEM)."""
    ships = _cue_words(reg, "SHIP_NOUN")

    def ship_noun(t) -> bool:
        return t.pos_ == "NOUN" and fold(t.text) in ships

    def named_ship(m: _Mention) -> bool:
        if m.start == 0 or doc[m.start - 1].lower_ != "the":
            return False
        root = doc[m.start:m.end].root
        if any(c.dep_ == "appos" and ship_noun(c) for c in root.children):
            return True
        t = root
        for _ in range(4):  # "carriers, the Liaoning and the Shandong": an apposition, or parsed as conjuncts
            if ship_noun(t.head) and (t.dep_ == "appos" or (
                    t.dep_ == "conj" and t.head.i + 1 < t.i and doc[t.head.i + 1].text in (",", ":", "—"))):
                return True
            if t.dep_ != "conj" or t.head == t:
                break
            t = t.head
        return root.dep_ == "compound" and ship_noun(root.head) and root.head.i == m.end

    names = {doc[m.start:m.end].text for m in mentions if m.label == LOCATION and named_ship(m)}
    names |= {doc[m.start:m.end - 1].text for m in mentions  # "the Fujian carrier" found as one system
              if m.label == WEAPON_SYSTEM and m.end - m.start >= 2 and fold(doc[m.end - 1].text) in ships
              and m.start > 0 and doc[m.start - 1].lower_ == "the"}
    for m in mentions:
        if m.label == LOCATION and doc[m.start:m.end].text in names and m.start > 0 \
                and doc[m.start - 1].lower_ == "the":
            wid = reg.weapon_by_name.get(fold(doc[m.start:m.end].text))
            m.label, m.key = WEAPON_SYSTEM, f"{WEAPON_SYSTEM}:{wid or slug(doc[m.start:m.end].text)}"


def _capitalised(t) -> bool:
    """A word of a name: title case, or capitalised with capitals inside ("AlUla", "McAllen"); no acronym."""
    return t.is_title or (t.is_alpha and t.text[0].isupper() and not t.is_upper)


def _weapon_key(text: str, reg: Registry) -> str:
    rid = reg.weapon_by_name.get(fold(text)) or reg.weapon_by_name.get(fold(re.sub(r"s$", "", text)))
    return f"{WEAPON_SYSTEM}:{rid or slug(re.sub(r'(?<=[A-Z0-9])s$', '', text))}"  # "F-15SGs" is "F-15SG"


def _people_after_titles(doc: Doc, mentions: list[_Mention], reg: Registry) -> list[_Mention]:
    """"Defence Minister Ng Eng Hen said", "Air Chief Marshal Punpakdee Pattanakul": capitalised proper nouns the
    model left unlabelled right after a person's title are the person (two words or more; one word only when it is
    the surname of a full name of the document, "Minister Ellwood")."""
    taken = {i for m in mentions for i in range(m.start, m.end)} | {t.i for t in doc if t.ent_type_}
    people = [m for m in mentions if m.label == PERSON and m.end - m.start > 1]
    added = []
    for t in doc:
        if not (t.text[:1].isupper() and _is_title(t, reg)) or t.i + 1 >= len(doc) or not t.whitespace_:
            continue
        j = t.i + 1
        while (j < len(doc) and j not in taken and doc[j - 1].whitespace_ and doc[j].sent == t.sent
               and _name_word(doc[j], reg)):
            j += 1
        n = j - t.i - 1
        if n >= 2:
            added.append(_Mention(t.i + 1, j, PERSON, f"{PERSON}:{slug(doc[t.i + 1 : j].text)}", SOURCE_MODEL))
        elif n == 1:
            full = [p for p in people if doc[p.end - 1].text == doc[t.i + 1].text]
            if full:
                added.append(_Mention(t.i + 1, j, PERSON, full[0].key, SOURCE_MODEL))
        taken.update(range(t.i + 1, j))
    return added


_VARIANT_CODE = re.compile(r"^(?=.*[A-Z])[A-Z0-9][A-Z0-9/-]{0,4}$")  # "NG", "FGR4", "E/F", "NFS", "PAC-3"
_ATTACHED_CODE = re.compile(r"^[A-Z0-9]{1,4}$")  # the "M" of "F-5M"
_DASH_NUMBER = re.compile(r"^(\d{1,3}[A-Z]?|[A-Z]{1,3}\d?)$")  # the "-9" of "Mirage 2000-9"
_BLOCK_WORDS = frozenset({"Block", "Flight", "Batch", "Increment", "Tranche", "Lot"})
_BLOCK_NUMBER = re.compile(r"^(\d{1,3}[A-Z]?(/\d{1,3})?|[IVX]{1,4})$")
_DESIGNATION = re.compile(r"^[A-Za-z]{1,5}-?\d{1,4}[A-Za-z]{0,3}s?$")
_NOT_A_NAME = frozenset({"DATE", "TIME", "CARDINAL", "MONEY", "PERCENT", "QUANTITY", "ORDINAL", "GPE", "NORP"})


def _extend_weapon_variants(doc: Doc, mentions: list[_Mention], reg: Registry) -> list[_Mention]:
    """A known system or designation with the variant the text adds is that variant: "F-5" + "M", "Mirage 2000" +
    "-9", "F-16" + "Block 60", "MICA" + "NG", "U212" + "NFS"; a designation with its name ("CP-140 Aurora", "AH-1Z
    Cobra"); a variant code after a word of a registry system's name ("Typhoon FGR4"). Mentions the longer span
    covers are dropped."""
    known = lambda t: (reg.country_iso3(t.text, capitals=True) is not None or fold(t.text) in reg.org_by_name  # noqa: E731
                       or t.ent_type_ in _NOT_A_NAME or t.text in ("I", "A"))
    taken = {i: m for m in mentions for i in range(m.start, m.end)}
    grown = []
    for m in mentions:
        if m.label != WEAPON_SYSTEM:
            continue
        start, end = m.start, m.end
        if (start > 0 and start - 1 not in taken and doc[start - 1].is_title and doc[start - 1].whitespace_
                and _DESIGNATION.match(doc[start:end].text) and fold(doc[start - 1].text) in reg.weapon_words):
            start -= 1  # "Typhoon" + "FGR4"
        named = False
        while end < len(doc) and doc[end].sent == doc[start].sent:
            t, prev = doc[end], doc[end - 1]
            if not prev.whitespace_ and _ATTACHED_CODE.match(t.text) and not t.is_punct:
                end += 1
            elif (not prev.whitespace_ and t.text == "-" and not t.whitespace_ and end + 1 < len(doc)
                  and _DASH_NUMBER.match(doc[end + 1].text)):
                end += 2
            elif t.text in _BLOCK_WORDS and end + 1 < len(doc) and _BLOCK_NUMBER.match(doc[end + 1].text):
                end += 2
            elif prev.whitespace_ and _VARIANT_CODE.match(t.text) and not known(t) and (
                    end not in taken or taken[end].source == SOURCE_MODEL and taken[end].end - taken[end].start == 1):
                end += 1
            elif (not named and prev.whitespace_ and t.is_alpha and t.is_title and t.pos_ == "PROPN"
                  and _DESIGNATION.match(doc[start:end].text) and not known(t) and not _is_title(t, reg)
                  and (not t.ent_type_ or t.ent_iob_ == "B" and (end + 1 >= len(doc) or doc[end + 1].ent_iob_ != "I"))
                  and (end not in taken or taken[end].source == SOURCE_MODEL and taken[end].end == end + 1)):
                end, named = end + 1, True  # "CP-140" + "Aurora": one name word after a bare designation
            else:
                break
        if (start, end) != (m.start, m.end):
            m.start, m.end = start, end
            m.key = _weapon_key(doc[start:end].text, reg)
            m.source = SOURCE_REGISTRY if m.key.split(":", 1)[1] in reg.weapons else SOURCE_PATTERN
            grown.append(m)
    return [m for m in mentions if m in grown or not any(g.start < m.end and m.start < g.end for g in grown)]


_BARE_DESIGNATION = re.compile(r"^[A-Z]{1,4}-?\d{1,4}[A-Z]{0,3}$")


def _coordinated_designations(doc: Doc, mentions: list[_Mention], reg: Registry) -> list[_Mention]:
    """"the F124 and F125 frigates": a bare designation coordinated with a designated system is one too."""
    taken = {i for m in mentions for i in range(m.start, m.end)}
    added = []
    for m in mentions:
        if m.label != WEAPON_SYSTEM or not _DESIGNATION.match(doc[m.start : m.end].text):
            continue
        for i, link in ((m.start - 2, m.start - 1), (m.end + 1, m.end)):
            if (0 <= i < len(doc) and i not in taken and doc[link].lower_ in (",", "and", "or")
                    and _BARE_DESIGNATION.match(doc[i].text) and not doc[i].ent_type_ in _NOT_A_NAME - {"CARDINAL"}):
                added.append(_Mention(i, i + 1, WEAPON_SYSTEM, _weapon_key(doc[i].text, reg), SOURCE_PATTERN))
                taken.add(i)
    return added


# Last words of a military unit's name ("Sixth Air Brigade", "46th Wing", "Lapland Air Wing").
UNIT_WORDS = frozenset("wing brigade squadron regiment battalion division flotilla".split())


def _military_units(doc: Doc, mentions: list[_Mention], others: list[Span]) -> None:
    """A name the model found that ends in a unit word is an armed force's unit (ORG), its ordinal with it ("the
    Sixth Air Brigade": the model had "Air Brigade")."""
    for m in mentions:
        if m.source != SOURCE_MODEL or m.label not in (ORG, LOCATION) or doc[m.end - 1].lower_ not in UNIT_WORDS:
            continue
        if m.start > 0 and doc[m.start - 1].ent_type_ == "ORDINAL" and doc[m.start - 1].is_title:
            m.start -= 1
            others[:] = [o for o in others if not o.start <= m.start < o.end]
        m.label, m.key = ORG, f"{ORG}:{slug(doc[m.start : m.end].text)}"


# Last words of a company's name ("General Dynamics Mission Systems", "Atlas Elektronik", "AEL Sistemas").
COMPANY_SUFFIXES = frozenset(
    "systems vehicles space aerospace aeronautics helicopters electronics elektronik industries technologies "
    "munitions missiles shipyards shipbuilding dynamics corporation corp inc ltd gmbh ag plc sistemas systemes "
    "industrias defence defense security".split()
)


def _company_word(t) -> bool:
    return t.lower_ in COMPANY_SUFFIXES or t.lower_.endswith(("werke", "werft"))


def _extend_companies(doc: Doc, mentions: list[_Mention], reg: Registry) -> list[_Mention]:
    """A registry company's name followed by more capitalised words ending in a company word is another firm, its
    subsidiary or joint venture ("General Dynamics Mission Systems–Canada", "Rheinmetall MAN Military Vehicles"); a
    name the model calls a place or person that ends in a company word is a firm ("Atlas Elektronik", "AEL Sistemas"),
    and so is an unknown name in a list with a company ("Embraer, AEL Sistemas, Akaer, Atech")."""
    grown = []
    for m in mentions:
        if m.label == ORG and m.source == SOURCE_REGISTRY and getattr(reg.organisations.get(m.key.split(":", 1)[1]),
                                                                        "kind", None) == "company":
            end, last = m.end, None
            while end < len(doc) and doc[end - 1].whitespace_ and doc[end].sent == doc[m.start].sent and (
                    (doc[end].is_alpha and (doc[end].is_title or doc[end].is_upper)
                     and (_company_word(doc[end]) or not _is_title(doc[end], reg))
                     and reg.country_iso3(doc[end].text) is None and fold(doc[end].text) not in reg.weapon_by_name)
                    or doc[end].text in ("and", "&") and last is not None):
                if _company_word(doc[end]):
                    last = end + 1
                end += 1
            if last is not None:
                if (last + 1 < len(doc) and not doc[last - 1].whitespace_ and doc[last].text in ("–", "-")
                        and not doc[last].whitespace_ and doc[last + 1].is_title):
                    last += 2  # "…Mission Systems–Canada"
                m.end, m.key, m.source = last, f"{ORG}:{slug(doc[m.start:last].text)}", SOURCE_MODEL
                grown.append(m)
    mentions = [m for m in mentions if m in grown or not any(g.start < m.end and m.start < g.end for g in grown)]
    companies = [m for m in mentions if m.label == ORG]
    for m in mentions:
        if m.label not in (LOCATION, PERSON) or m.source != SOURCE_MODEL:
            continue
        if _company_word(doc[m.end - 1]) and m.end - m.start > 1:
            m.label, m.key = ORG, f"{ORG}:{slug(doc[m.start:m.end].text)}"
            companies.append(m)
    firms = {doc[m.start : m.end].root.i for m in companies
             if m.source == SOURCE_REGISTRY or _company_word(doc[m.end - 1])}
    for m in mentions:
        if m.label == LOCATION and m.source == SOURCE_MODEL and fold(doc[m.start : m.end].text) not in reg.place_names:
            if any(c.i in firms for c in doc[m.start : m.end].root.conjuncts):
                m.label, m.key = ORG, f"{ORG}:{slug(doc[m.start:m.end].text)}"
    return mentions


def _country_backfill(doc: Doc, mentions: list[_Mention], others: list[Span], reg: Registry) -> list[_Mention]:
    """Country names the model left unlabelled ("2025 - Thailand launched"): exact, capitalised names only."""
    taken = {i for m in mentions for i in range(m.start, m.end)} | {i for s in others for i in range(s.start, s.end)}
    names = reg.country_surface_names
    added, i = [], 0
    starts = reg.country_name_starts
    while i < len(doc):
        if not (doc[i].is_title and doc[i].text in starts):
            i += 1
            continue
        for n in (4, 3, 2, 1):
            span = doc[i : i + n]
            if len(span) == n and span.text in names and not any(t.i in taken for t in span) and span[0].is_title:
                added.append(_Mention(i, i + n, COUNTRY, f"{COUNTRY}:{names[span.text]}", SOURCE_MODEL))
                i += n - 1
                break
        i += 1
    return added


_ACRONYM = re.compile(r"^[A-Z][A-Za-z&]*[A-Z]$")


def _acronym_mentions(doc: Doc, mentions: list[_Mention]) -> list[_Mention]:
    """"Turkish Aerospace Industries (TUSAS)": the acronym in brackets, and its later uses, are the ORG too."""
    taken = {i for m in mentions for i in range(m.start, m.end)}
    acronyms: dict[str, _Mention] = {}
    added = []
    for m in mentions:
        if m.label != ORG or m.end + 2 >= len(doc):
            continue
        a, b, c = doc[m.end], doc[m.end + 1], doc[m.end + 2]
        if a.text == "(" and c.text == ")" and _ACRONYM.match(b.text) and len(b.text) <= 8:
            acronyms.setdefault(b.text, m)
    if not acronyms:
        return []
    for t in doc:
        owner = acronyms.get(t.text)
        if owner is not None and t.i not in taken:
            added.append(_Mention(t.i, t.i + 1, ORG, owner.key, owner.source))
            taken.add(t.i)
        elif owner is not None:
            for m in mentions:  # an acronym spaCy tagged on its own joins its expansion
                if m.start == t.i and m.end == t.i + 1 and m.label == ORG:
                    m.key = owner.key
    return added


def _resolve_capitals(doc: Doc, mentions: list[_Mention], reg: Registry) -> None:
    """A capital stands for its country when the document uses it as an actor ("Ankara’s only goal"), otherwise it
    is a place ("talks in Ankara"). One surface form is one entity within a document, so the decision is per form."""
    by_form: dict[str, list[_Mention]] = {}
    for m in mentions:
        if m.label == LOCATION:
            iso = reg.country_by_capital.get(fold(doc[m.start : m.end].text))
            if iso and reg.is_sovereign(iso):
                by_form.setdefault(fold(doc[m.start : m.end].text), []).append(m)
    for form, ms in by_form.items():
        if any(_is_actor(doc[m.start : m.end]) for m in ms):
            iso = reg.country_by_capital[form]
            for m in ms:
                m.label, m.key = COUNTRY, f"{COUNTRY}:{iso}"


def _is_actor(span: Span) -> bool:
    if span.text.isupper() and len(span.text) > 3:  # "BERN, June 30 -": a dateline names a place
        return False
    root = span.root
    if root.dep_ == "nsubj" and root.head.lemma_ == "host":  # "days before Madrid hosts a NATO summit": the city
        return False
    if root.dep_ in ACTOR_DEPS:
        return True
    if root.dep_ == "pobj" and root.head.lower_ in ACTOR_PREPS:
        # "south of Seoul", "the Crown Prince of Abu Dhabi": a direction or a title before "of" makes it the city
        return not (root.head.lower_ == "of" and root.head.head.lower_ in PLACE_OF_HEADS)
    if root.dep_ == "conj":  # "Beijing and Manila said" : the first conjunct decides
        return _is_actor(root.head.doc[root.head.i : root.head.i + 1])
    return False


def _merge_short_names(doc: Doc, mentions: list[_Mention], others: list[Span]) -> None:
    """"Guler" after "Yasar Guler" (and "Nakatani" with "Nakatani Gen"): a one-word person or organisation name that
    is a word of a longer name of the same label in the document takes the longer name's key (nearest one first).
    A person's surname the model left untagged, or tagged as an organisation or a place, is that person."""
    people = [m for m in mentions if m.label == PERSON and m.end - m.start > 1]
    surnames = {doc[p.end - 1].text for p in people if doc[p.end - 1].is_title and len(doc[p.end - 1]) > 2}
    for m in mentions:  # "Pistorius" tagged ORG in a document about Boris Pistorius is the person ("Shoigu" LOCATION)
        if m.label in (ORG, LOCATION) and m.end - m.start == 1 and m.source == SOURCE_MODEL:
            if doc[m.start].text in surnames:
                m.label = PERSON
    # "Gallant spoke by phone with Austin": a surname of a person the document names in full, left untagged
    taken = {i for m in mentions for i in range(m.start, m.end)} | {i for o in others for i in range(o.start, o.end)}
    mentions += [_Mention(t.i, t.i + 1, PERSON, "", SOURCE_MODEL) for t in doc
                 if t.i not in taken and t.text in surnames and t.pos_ == "PROPN"
                 and not (t.i > 0 and doc[t.i - 1].is_title and doc[t.i - 1].pos_ == "PROPN")
                 and not (t.i + 1 < len(doc) and doc[t.i + 1].is_title and doc[t.i + 1].pos_ == "PROPN")]
    for label in (PERSON, ORG):
        full = [m for m in mentions if m.label == label and m.end - m.start > 1]
        for m in mentions:
            if m.label != label or m.end - m.start != 1 or m.source == SOURCE_REGISTRY:
                continue
            word = doc[m.start].text
            cands = [f for f in full if word in (doc[f.start].text, doc[f.end - 1].text)]
            if label == ORG:
                cands = [f for f in cands if doc[f.start].text == word]
            if cands:
                before = [f for f in cands if f.start < m.start]
                best = (before or cands)[-1 if before else 0]
                m.key = best.key


def _own_generic_institutions(doc: Doc, mentions: list[_Mention]) -> None:
    """A generic institution named without its country ("the Defence Ministry said") is the one of the country the
    document names most (the first named on a tie), so that it is no one entity across all documents."""
    counts: dict[str, list] = {}
    for m in mentions:
        if m.label == COUNTRY:
            counts.setdefault(m.key, [0, m.start])[0] += 1
    lead = max(counts, key=lambda k: (counts[k][0], -counts[k][1])).split(":", 1)[1].lower() if counts else None
    for m in mentions:
        if m.label == ORG and m.key.startswith(f"{ORG}:?-"):
            m.key = f"{ORG}:{lead}-{m.key[len(ORG) + 3:]}" if lead else f"{ORG}:{m.key[len(ORG) + 3:]}"


def _merge_weapon_families(mentions: list[_Mention], reg: Registry) -> None:
    """"F-35" in a document that names exactly one F-35 variant ("F-35A") is that variant."""
    present = {m.key.split(":", 1)[1] for m in mentions if m.label == WEAPON_SYSTEM}
    for m in mentions:
        if m.label != WEAPON_SYSTEM:
            continue
        fam = m.key.split(":", 1)[1]
        variants = [w for w in present if w in reg.weapons and reg.weapons[w].family == fam]
        if len(variants) == 1:
            m.key = f"{WEAPON_SYSTEM}:{variants[0]}"


def _non_overlapping(spans: list[Span]) -> list[Span]:
    """Keep the longest spans, ours before spaCy's others, in document order."""
    ours = [s for s in spans if s.label_ in ENTITY_LABELS]
    rest = [s for s in spans if s.label_ not in ENTITY_LABELS]
    chosen: list[Span] = []
    seen: set[int] = set()
    for s in sorted(ours, key=lambda s: (-(s.end - s.start), s.start)) + rest:
        if not any(i in seen for i in range(s.start, s.end)):
            chosen.append(s)
            seen.update(range(s.start, s.end))
    return sorted(chosen, key=lambda s: s.start)
