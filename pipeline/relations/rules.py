"""The relation rules as data: `Rules`, read from `models/relations/rules.yaml` (`load_rules`), plus what the
gazetteers know of organisations and weapon systems (`with_registry`).

Every word list the rule families consult lives in the rules file and reaches them through `Rules`: trigger
lexicons, argument prepositions, negation and hedge cues, titles, pronouns, cue words for makers and fleets in
service. Also the judgments that read only the rules and an entity (`is_company`, `is_armed_force`). This module
reads the rules file and nothing else; it knows no parse.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    from spacy.tokens import Span

from ..labels import COUNTRY, ORG, PERSON, WEAPON_SYSTEM

# The kinds of antecedent a pronoun refers to (`pronouns` in the rules file), per entity label: the extraction
# remembers the last subject of each kind.
PRONOUN_KIND = {PERSON: PERSON, COUNTRY: "THING", ORG: "THING", WEAPON_SYSTEM: WEAPON_SYSTEM}
COMPANY = "COMPANY"  # context key: the last company named ("the company", "the firm" refer to it)


@dataclass(frozen=True)
class Rules:
    triggers: dict[str, dict[str, str | None]]  # lemma -> {predicate: status}
    supplier: frozenset[str]
    offer: frozenset[str]
    intent: frozenset[str]
    bridge: frozenset[str]
    subject_bridge: frozenset[str]
    light_verbs: frozenset[str]
    object_preps: dict[str, frozenset[str]]
    subject_preps: frozenset[str]
    negation_words: frozenset[str]
    negation_lemmas: frozenset[str]
    hedge_words: frozenset[str]
    titles: frozenset[str]
    role_heads: frozenset[str]
    government_titles: frozenset[str]
    handover: frozenset[str] = frozenset()  # "deliveries of X to Kuwait": with a "to" receiver, a sale
    seller_verbs: frozenset[str] = frozenset()  # "the US approved the sale of X to Y": the subject sells
    org_kinds: dict[str, str] = field(default_factory=dict)  # ORG entity id -> registry kind (company, ministry…)
    class_nouns: dict[str, frozenset[str]] = field(default_factory=dict)  # "aircraft" -> {fighter, uav, …}
    weapon_classes: dict[str, str] = field(default_factory=dict)  # WEAPON_SYSTEM entity id -> registry class
    capitals: dict[str, str] = field(default_factory=dict)  # folded capital name -> COUNTRY entity id
    weapon_origins: dict[str, str] = field(default_factory=dict)  # WEAPON_SYSTEM entity id -> country of origin
    counterparts: frozenset[str] = frozenset()  # "his Israeli counterpart Yoav Gallant": the other one's role
    company_nouns: frozenset[str] = frozenset()  # "the company makes the F-35": the company named last
    member_nouns: frozenset[str] = frozenset()  # "built by a consortium of A and B": its members act
    in_service_verbs: frozenset[str] = frozenset()  # "to replace its ageing Tornado fleet": it operates them
    in_service_cues: frozenset[str] = frozenset()  # "its ageing MiG-29", "the air force's F-16 fleet"
    armed_force_words: frozenset[str] = frozenset()  # an organisation's name that says it is an armed force
    not_company_words: frozenset[str] = frozenset()  # … that says it is no company (no maker)
    contract_nouns: frozenset[str] = frozenset()  # "the agreement between a ministry and Baykar": a sale
    maker_participles: frozenset[str] = frozenset()  # "Saab-built Gripen", "Turkish-made aircraft"
    joint_adverbs: frozenset[str] = frozenset()  # "agreed to jointly develop": the subjects are co-makers
    raising_verbs: frozenset[str] = frozenset()  # "X is expected to visit": X is the visitor
    pronouns: dict[str, str] = field(default_factory=dict)  # subject pronoun -> kind of its antecedent
    possessive_pronouns: dict[str, str] = field(default_factory=dict)  # "his visit" -> PERSON
    referring_dets: frozenset[str] = frozenset()  # "the company", "this firm": the company named last
    companion_words: frozenset[str] = frozenset()  # "together with X": X is a subject, not the other party
    name_prefixes: frozenset[str] = frozenset()  # "Gen", "Sir", "Air Marshal": between a title and the name
    title_phrases: frozenset[tuple[str, ...]] = frozenset()  # "secretary of state": title words, whatever the NER says
    role_possessives: dict[str, str] = field(default_factory=dict)  # "its Executive Director X" -> THING
    military_titles: frozenset[str] = frozenset()  # "military spokesman X": the sentence's armed force
    military_services: frozenset[str] = frozenset()  # "Chief of the Air Staff": the document's air force
    office_verbs: frozenset[str] = frozenset()  # "who holds the chairmanship of ASEAN"
    office_nouns: dict[str, str] = field(default_factory=dict)  # office noun -> the role it gives
    role_verbs: frozenset[str] = frozenset()  # "X was appointed defence minister": the complement is X's role
    org_countries: dict[str, str] = field(default_factory=dict)  # ORG id of a state body -> COUNTRY id (registry)
    partner_nouns: frozenset[str] = frozenset()  # "North Korea's main ally", "its partner, SNC": owner and partner
    owner_pronouns: frozenset[str] = frozenset()  # "its partner", "their allies": the owner named before
    backing_participles: frozenset[str] = frozenset()  # "the Iran-backed Hezbollah": the backer cooperates
    relative_pronouns: frozenset[str] = frozenset()  # "the company that builds X": the company named before
    list_preps: frozenset[str] = frozenset()  # "partners including A and B": the list names the partners
    verb_only: dict[str, frozenset[str]] = field(default_factory=dict)  # predicate -> lemmas that state it as verbs only
    object_verbs: dict[str, frozenset[str]] = field(default_factory=dict)  # predicate -> lemmas needing a dobj
    visit_objects: frozenset[str] = frozenset()  # travel lemmas whose direct object is the place ("visited Japan")
    place_nouns: frozenset[str] = frozenset()  # "the town of Merowe": the place after "of"
    host_lemmas: frozenset[str] = frozenset()  # "hosted Bennett in Abu Dhabi": the guest visits it
    plural_pronouns: frozenset[str] = frozenset()  # "They are expected to be based at": the systems named before
    joint_words: frozenset[str] = frozenset()  # "a joint call with A and B": A and B speak too
    presence_verbs: frozenset[str] = frozenset()  # "X, who is in Paris": a person there visits it
    speaking_verbs: frozenset[str] = frozenset()  # "Speaking in Hanoi, X said": the speaker there visits it
    object_pronouns: dict[str, str] = field(default_factory=dict)  # "talks with him": the other party named before
    fight_target_lemmas: frozenset[str] = frozenset()  # "launched drones at Israel": fights only with a target
    fight_target_preps: frozenset[str] = frozenset()  # … reached through "at", "against"
    reciprocal_fight_lemmas: frozenset[str] = frozenset()  # "A and B clashed": coordinated subjects fight
    group_nouns: frozenset[str] = frozenset()  # "countries that fly the F-35, including Japan": the members act
    member_preps: frozenset[str] = frozenset()  # … "including", "such as", "like"
    package_nouns: frozenset[str] = frozenset()  # "a package for Ukraine that includes X": Ukraine procures X
    include_verbs: frozenset[str] = frozenset()  # … "includes", "including", "comprising"
    negation_phrases: frozenset[str] = frozenset()  # "call off", "back out": phrasal verbs that cancel
    negation_barriers: frozenset[str] = frozenset()  # "because (of)", "despite": a cause is not what is negated
    buyer_from_nouns: frozenset[str] = frozenset()  # "orders from India and Egypt": the "from" side buys
    fight_possessives: frozenset[str] = frozenset()  # "its war in Ukraine": the possessor is the fighter


@lru_cache(maxsize=8)
def load_rules(path: str | Path) -> Rules:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    _check_words(data, path)
    for key in ("pronouns", "possessive_pronouns", "role_possessives", "object_pronouns"):
        for word, kind in (data.get(key) or {}).items():
            if kind not in PRONOUN_KIND.values():
                raise ValueError(f"{path}: {key}.{word}: {kind!r} is not a kind of antecedent "
                                 f"({', '.join(sorted(set(PRONOUN_KIND.values())))})")
    triggers: dict[str, dict[str, str | None]] = {}
    for pred, spec in data["triggers"].items():
        lemmas = spec["lemmas"]
        items = lemmas.items() if isinstance(lemmas, dict) else ((lem, spec.get("status")) for lem in lemmas)
        for lemma, status in items:
            triggers.setdefault(lemma, {})[pred] = status
    fs = lambda key: frozenset(data.get(key) or ())  # noqa: E731
    class_nouns = {noun: frozenset(classes) for noun, classes in (data.get("class_nouns") or {}).items()}
    counterparts = fs("counterpart_nouns")  # titles that are also role heads ("his Israeli counterpart X")
    default = frozenset(data["object_preps"]["default"])
    preps = {k: frozenset(v) | default for k, v in data["object_preps"].items()}
    return Rules(
        triggers, fs("supplier_lemmas"), fs("offer_lemmas"), fs("intent_lemmas"), fs("bridge_nouns"),
        fs("subject_bridge_nouns"), fs("light_verbs"), preps,
        fs("subject_preps"), frozenset(data["negation"]["words"]), frozenset(data["negation"]["lemmas"]),
        frozenset(data["hedging"]["words"]), fs("titles") | counterparts, fs("role_heads") | counterparts,
        fs("government_titles"), fs("handover_nouns"), fs("seller_verbs"), class_nouns=class_nouns,
        counterparts=counterparts, company_nouns=fs("company_nouns"),
        member_nouns=fs("member_nouns"), in_service_verbs=fs("in_service_verbs"),
        in_service_cues=fs("in_service_cues"), armed_force_words=fs("armed_force_words"),
        not_company_words=fs("not_company_words"), contract_nouns=fs("contract_nouns"),
        maker_participles=fs("maker_participles"), joint_adverbs=fs("joint_adverbs"), raising_verbs=fs("raising_verbs"),
        pronouns=dict(data.get("pronouns") or {}), possessive_pronouns=dict(data.get("possessive_pronouns") or {}),
        referring_dets=fs("referring_determiners"), companion_words=fs("companion_words"),
        name_prefixes=fs("name_prefixes"), title_phrases=frozenset(tuple(p.split()) for p in fs("title_phrases")),
        role_possessives=dict(data.get("role_possessives") or {}), role_verbs=fs("role_verbs"),
        military_titles=fs("military_titles"), military_services=fs("military_services"),
        office_verbs=fs("office_verbs"), office_nouns=dict(data.get("office_nouns") or {}),
        partner_nouns=fs("partner_nouns"), owner_pronouns=fs("owner_pronouns"), list_preps=fs("list_preps"),
        backing_participles=fs("backing_participles"), relative_pronouns=fs("relative_pronouns"),
        verb_only={k: frozenset(v) for k, v in (data.get("verb_only_triggers") or {}).items()},
        object_verbs={k: frozenset(v) for k, v in (data.get("object_verb_triggers") or {}).items()},
        visit_objects=fs("visit_direct_objects"), place_nouns=fs("place_nouns"),
        host_lemmas=fs("host_lemmas"), presence_verbs=fs("presence_verbs"), joint_words=fs("joint_words"),
        speaking_verbs=fs("speaking_verbs"),
        plural_pronouns=fs("plural_pronouns"),
        object_pronouns=dict(data.get("object_pronouns") or {}),
        fight_target_lemmas=fs("fight_target_lemmas"), fight_target_preps=fs("fight_target_preps"),
        reciprocal_fight_lemmas=fs("reciprocal_fight_lemmas"), fight_possessives=fs("fight_possessives"),
        buyer_from_nouns=fs("buyer_from_nouns"), negation_phrases=frozenset(data["negation"].get("phrases") or ()),
        negation_barriers=frozenset(data["negation"].get("barriers") or ()),
        package_nouns=fs("package_nouns"), include_verbs=fs("include_verbs"), group_nouns=fs("group_nouns"),
        member_preps=fs("member_preps"),
    )


def _check_words(node, path, where="") -> None:
    """Every lexicon entry must be a string: YAML reads a bare on/off/yes/no as a boolean."""
    if isinstance(node, dict):
        for k, v in node.items():
            _check_words(v, path, f"{where}.{k}")
    elif isinstance(node, list):
        for v in node:
            if not isinstance(v, str):
                raise ValueError(f"{path}: {where.lstrip('.')}: {v!r} is not a word (quote it: YAML reads on/no/yes "
                                 "as booleans)")


def with_registry(rules: Rules, registry) -> Rules:
    """The rules plus what the gazetteers know of organisations (which ones are companies) and of weapon systems
    (their class: a drone, a fighter, a tank)."""
    kinds = {f"{ORG}:{o.id}": o.kind or "" for o in registry.organisations.values()}
    classes = {f"{WEAPON_SYSTEM}:{w.id}": w.weapon_class for w in registry.weapons.values() if w.weapon_class}
    # the country of a state body (armed force, ministry, agency: not a company), for an article's lead country
    countries = {f"{ORG}:{o.id}": f"{COUNTRY}:{o.iso3}" for o in registry.organisations.values()
                 if o.iso3 and (o.kind or "") != "company"}
    capitals = {k: f"{COUNTRY}:{v}" for k, v in registry.country_by_capital.items()}
    origins = {f"{WEAPON_SYSTEM}:{w.id}": w.origin_iso3 for w in registry.weapons.values() if w.origin_iso3}
    return replace(rules, org_kinds=kinds, weapon_classes=classes, org_countries=countries, capitals=capitals,
                   weapon_origins=origins)


def is_armed_force(ent: Span, rules: Rules) -> bool:
    """An air force, navy or army: the registry's kind where it knows the organisation, else read from the name."""
    kind = rules.org_kinds.get(ent.kb_id_)
    if kind is not None:
        return kind == "armed_force"
    return bool({t.lower_ for t in ent} & rules.armed_force_words)


def is_maker(ent: Span, rules: Rules) -> bool:
    return ent.label_ == ORG and is_company(ent, rules)


def is_company(ent: Span, rules: Rules) -> bool:
    """Makers are companies: the registry's kind where it knows the organisation, else read from the name (not
    armed forces, ministries or governments)."""
    kind = rules.org_kinds.get(ent.kb_id_)
    if kind is not None:
        return kind == "company"
    words = {t.lower_ for t in ent} | set(ent.kb_id_.split(":", 1)[-1].split("-"))  # "RTAF" -> royal-thai-air-force
    return not words & rules.not_company_words
