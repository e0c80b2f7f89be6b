"""The weapon-system registry (models/gazetteers) as data: size and coverage, integrity, and how the built pipeline
finds its systems in news text without turning people and places with the same names into weapons."""
from collections import Counter, defaultdict

import pycountry
import pytest

from pipeline.gazetteer import fold

# The closed list of weapon classes, grouped into the families of issue 4.
CLASS_GROUPS = {
    "aircraft": {"fighter", "bomber", "attack_aircraft", "trainer", "transport_aircraft", "tanker", "aew_aircraft",
                 "maritime_patrol_aircraft", "helicopter"},
    "uav": {"uav", "loitering_munition"},
    "air_missile_defence": {"air_defence", "surface_to_air_missile"},
    "missile": {"ballistic_missile", "cruise_missile", "anti_ship_missile", "air_to_air_missile", "anti_tank_missile",
                "anti_tank_weapon", "munition"},
    "armour": {"tank", "ifv", "apc", "light_vehicle"},
    "artillery": {"artillery", "rocket_artillery"},
    "ship": {"frigate", "destroyer", "corvette", "aircraft_carrier", "amphibious_ship", "usv"},
    "submarine": {"submarine"},
}
CLASSES = set().union(*CLASS_GROUPS.values())

# Words that name people, places or everyday things as often as a weapon (or a company): never an alias on their own.
AMBIGUOUS_WEAPON_WORDS = ("Abrams", "Bradley", "Leclerc", "Altay", "Al-Khalid", "Babur", "Bohdana", "Bogdana",
                          "Korkut", "Neptune", "Taurus", "Excalibur", "Harimau", "Oplot", "Leopard", "Tiger", "Hawk",
                          "Storm", "Typhoon", "Puma", "Lynx", "Hunter", "Spike", "Mistral", "Sentinel", "Ford",
                          "Virginia", "Fujian", "Anadolu", "Cobra", "Piranha", "Panther", "Eagle", "Wildcat")
AMBIGUOUS_ORG_WORDS = ("Antonov", "Babcock", "Indra", "Sami", "Bell", "Harris", "Kalashnikov")


def _surfaces(entry) -> list[str]:
    return [entry.name, *entry.aliases]


def test_registry_has_300_systems_across_every_class_group(registry):
    assert len(registry.weapons) >= 300
    per_group = Counter(g for w in registry.weapons.values() for g, classes in CLASS_GROUPS.items()
                        if w.weapon_class in classes)
    assert {g: n for g, n in per_group.items() if n < 20} == {}, per_group
    assert set(per_group) == set(CLASS_GROUPS)


def test_every_system_has_a_known_class_origin_and_maker(registry):
    assert {w.id: w.weapon_class for w in registry.weapons.values() if w.weapon_class not in CLASSES} == {}
    assert {w.id: w.origin_iso3 for w in registry.weapons.values()
            if not w.origin_iso3 or pycountry.countries.get(alpha_3=w.origin_iso3) is None} == {}
    unknown = {w.id: w.manufacturer for w in registry.weapons.values()
               if w.manufacturer and w.manufacturer not in registry.organisations}
    assert unknown == {}
    # State arsenals without a company of their own (DF-21, Hwasong-18, FAB-500) may leave the maker empty.
    with_maker = sum(1 for w in registry.weapons.values() if w.manufacturer)
    assert with_maker >= 0.85 * len(registry.weapons)


def test_variants_point_at_an_existing_parent(registry):
    bad = {w.id: w.family for w in registry.weapons.values()
           if w.family is not None and (w.family == w.id or w.family not in registry.weapons)}
    assert bad == {}
    for variant, parent in (("f-35a", "f-35"), ("f-35b", "f-35"), ("f-35c", "f-35"), ("f-5e-f-tiger-ii", "f-5-tiger"),
                            ("j-10c", "j-10"), ("m1a2-abrams", "m1-abrams"), ("leopard-2a7", "leopard-2"),
                            ("gripen-e-f", "gripen"), ("heron-tp", "heron")):
        assert registry.weapons[variant].family == parent


def test_no_surface_form_names_two_entries(registry):
    owners = defaultdict(set)
    for w in registry.weapons.values():
        for n in _surfaces(w):
            owners[fold(n)].add(f"weapon:{w.id}")
    for o in registry.organisations.values():
        for n in (o.name, *o.aliases, *o.acronyms):
            owners[fold(n)].add(f"org:{o.id}")
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}


def test_company_names_are_no_country_names(registry):
    companies = [o for o in registry.organisations.values() if o.kind == "company"]
    assert len(companies) >= 150
    clash = {n: o.id for o in companies for n in (o.name, *o.aliases, *o.acronyms)
             if fold(n) in registry.country_by_name or fold(n) in registry.country_by_demonym
             or fold(n) in registry.country_by_capital}
    assert clash == {}


def test_ambiguous_words_are_no_aliases_on_their_own(registry):
    assert [w for w in AMBIGUOUS_WEAPON_WORDS if fold(w) in registry.weapon_by_name] == []
    assert [w for w in AMBIGUOUS_ORG_WORDS if fold(w) in registry.org_by_name] == []


def ents(nlp, text):
    return [(e.text, e.label_, e.kb_id_) for e in nlp(text).ents
            if e.label_ in ("PERSON", "COUNTRY", "ORG", "WEAPON_SYSTEM", "LOCATION")]


@pytest.mark.parametrize("text,form,wid,cls", [
    ("India test-fired an Agni-V missile with multiple warheads from Odisha, the DRDO said.",
     "Agni-V", "agni-v", "ballistic_missile"),
    ("The Indian Navy commissioned its sixth Kalvari-class submarine built by Mazagon Dock Shipbuilders.",
     "Kalvari-class", "kalvari-class", "submarine"),
    ("Germany ordered 35 more Puma infantry fighting vehicles from Rheinmetall and KNDS.",
     "Puma infantry fighting vehicles", "puma-ifv", "ifv"),
    ("Ukraine said it destroyed a Pantsir-S1 near Donetsk with a drone.", "Pantsir-S1", "pantsir-s1", "air_defence"),
    ("Japan plans to deploy Type-12 anti-ship missiles on Yonaguni, Tokyo said on Friday.",
     "Type-12", "type-12-missile", "anti_ship_missile"),
    ("Taiwan test-fired its Tien Kung III interceptors during the Han Kuang drills.",
     "Tien Kung III", "tien-kung-iii", "air_defence"),
    ("Australia will build Hunter-class frigates with BAE Systems in Adelaide.",
     "Hunter-class frigates", "hunter-class-frigate", "frigate"),
    ("The Netherlands ordered Taurus KEPD 350 cruise missiles from Taurus Systems.",
     "Taurus KEPD 350", "taurus", "cruise_missile"),
    ("Russia used a Kh-101 cruise missile and several Shahed-136 drones in the overnight attack.",
     "Kh-101", "kh-101", "cruise_missile"),
    ("Turkey's Altay tank entered serial production at BMC in Ankara.", "Altay tank", "altay", "tank"),
    ("Romania signed a contract for 54 Abrams tanks, officials said.", "Abrams tanks", "m1-abrams", "tank"),
    ("Kyiv received more Bradley fighting vehicles in the latest package.",
     "Bradley fighting vehicles", "m2-bradley", "ifv"),
    ("Poland will buy 96 AH-64E Apache helicopters from Boeing.", "AH-64E Apache", "ah-64-apache", "helicopter"),
    ("Seoul showed the K239 Chunmoo at the ADEX fair alongside the KF-21.", "K239 Chunmoo", "k239-chunmoo",
     "rocket_artillery"),
])
def test_registry_systems_are_found_in_news_sentences(nlp, registry, text, form, wid, cls):
    assert (form, "WEAPON_SYSTEM", f"WEAPON_SYSTEM:{wid}") in ents(nlp, text)
    assert registry.weapons[wid].weapon_class == cls


def test_variant_designations_resolve_to_their_system_and_parent(nlp, registry):
    found = ents(nlp, "The US approved the sale of F-35B jets to Singapore. The F-35 order includes spare engines.")
    assert ("F-35B", "WEAPON_SYSTEM", "WEAPON_SYSTEM:f-35b") in found
    assert ("F-35", "WEAPON_SYSTEM", "WEAPON_SYSTEM:f-35b") in found  # the family name takes the one variant named
    assert registry.weapons["f-35b"].family == "f-35"
    assert ("Lightning II", "WEAPON_SYSTEM", "WEAPON_SYSTEM:f-35") in ents(
        nlp, "Lightning II jets from Japan took part in the exercise.")
    found = ents(nlp, "The Swiss Air Force will replace its F-5E Tiger II fleet with the F-35A Lightning II.")
    assert ("F-5E Tiger II", "WEAPON_SYSTEM", "WEAPON_SYSTEM:f-5e-f-tiger-ii") in found
    assert ("F-35A Lightning II", "WEAPON_SYSTEM", "WEAPON_SYSTEM:f-35a") in found


@pytest.mark.parametrize("text", [
    "Gen. Creighton Abrams commanded US forces in Vietnam before becoming Army chief of staff.",
    "Abrams said the plan would be reviewed by the Pentagon next week.",
    "Bradley Cooper attended the premiere in Los Angeles.",
    "Bradley said the committee would vote on Thursday.",
    "General Omar Bradley led the 12th Army Group in 1944.",
    "Marshal Leclerc liberated Paris with the 2nd Armored Division in August 1944.",
    "Leclerc said the team had made progress.",
    "Senator Tom Cotton urged the administration to act.",
    "Altay is a region in southern Siberia bordering Kazakhstan.",
    "Korkut Ozal was a Turkish politician and the brother of Turgut Ozal.",
    "Bohdana Matsiotska is a Ukrainian tennis player.",
    "Babur founded the Mughal Empire in 1526.",
    "Neptune is the eighth planet from the Sun.",
    "The Taurus Mountains stretch along southern Turkey.",
    "Excalibur Army, a Czech company, refurbishes tanks for Ukraine.",
    "The Oplot battalion fought near Donetsk in 2014.",
])
def test_people_and_places_are_no_weapons(nlp, text):
    assert [e for e in ents(nlp, text) if e[1] == "WEAPON_SYSTEM"] == []


@pytest.mark.parametrize("text,word", [
    ("Russian Ambassador Anatoly Antonov met US officials in Washington.", "Antonov"),
    ("Antonov said Moscow would respond.", "Antonov"),
    ("Babcock said the tax cut would help families.", "Babcock"),
    ("Indra Nooyi was chief executive of PepsiCo.", "Indra"),
    ("Sami said he would travel to Ankara next week.", "Sami"),
])
def test_people_are_no_registry_companies(nlp, registry, text, word):
    companies = {f"ORG:{o.id}" for o in registry.organisations.values() if o.kind == "company"}
    assert [e for e in ents(nlp, text) if word in e[0] and e[2] in companies] == []
