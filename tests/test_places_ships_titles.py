"""NER that adds to the base model: places the model calls people or organisations, ships named with a navy prefix,
named bases, titles kept out of person names (sentences of our own, in no gold set)."""
import pytest

from test_entities import ents


@pytest.mark.parametrize("text,place", [
    ("Near Palmyra, five strikes destroyed an ammunition depot.", "Palmyra"),
    ("Raqqah was shelled again overnight, residents said.", "Raqqah"),
    ("Outside Kharkiv, engineers repaired the bridge.", "Kharkiv"),
])
def test_city_names_the_model_tags_as_people_are_places(nlp, text, place):
    found = ents(nlp, text)
    assert any(t == place and lab == "LOCATION" for t, lab, _ in found), found
    assert not any(place in t and lab in ("PERSON", "ORG") for t, lab, _ in found), found


def test_a_person_the_document_names_keeps_a_surname_that_is_a_city(nlp):
    found = ents(nlp, "US Defense Secretary Lloyd Austin arrived on Monday. Austin said the talks went well.")
    assert ("Austin", "PERSON", "PERSON:lloyd-austin") in found
    assert not any(lab == "LOCATION" for _, lab, _ in found)


@pytest.mark.parametrize("text,ship", [
    ("The destroyer USS Mahan shot down two drones over the Red Sea.", "USS Mahan"),
    ("HMS Diamond, a Type 45 destroyer, returned to Portsmouth.", "HMS Diamond"),
    ("The French frigate FS Forbin intercepted three drones.", "FS Forbin"),
    ("The carrier USS Dwight D. Eisenhower left the Gulf.", "USS Dwight D. Eisenhower"),
    ("India commissioned INS Vikrant in 2022.", "INS Vikrant"),
    ("The carrier HMS Queen Elizabeth and HMS Prince of Wales sailed together.", "HMS Prince of Wales"),
])
def test_ships_with_a_navy_prefix_are_platforms(nlp, text, ship):
    found = ents(nlp, text)
    assert any(t == ship and lab == "WEAPON_SYSTEM" for t, lab, _ in found), found


@pytest.mark.parametrize("text,base", [
    ("The jets will be based at Luke Air Force Base in Arizona.", "Luke Air Force Base"),
    ("Iranian missiles hit Nevatim Airbase in the Negev.", "Nevatim Airbase"),
    ("The squadron flies from PAF Base Minhas near Attock.", "PAF Base Minhas"),
])
def test_named_bases_are_places(nlp, text, base):
    assert any(t == base and lab == "LOCATION" for t, lab, _ in ents(nlp, text))


def test_a_lowercase_air_base_keeps_only_the_place_name(nlp):
    found = ents(nlp, "The F-16s landed at the Skrydstrup air base on Monday.")
    assert not any("air base" in t for t, _, _ in found), found


@pytest.mark.parametrize("text,person", [
    ("President Joe Biden said the sale would go ahead.", "Joe Biden"),
    ("Director Sandra Oudkirk spoke at the ceremony.", "Sandra Oudkirk"),
    ("Air Commodore Edward Gabkwet said the jets had arrived.", "Edward Gabkwet"),
])
def test_titles_stay_out_of_person_names(nlp, text, person):
    found = ents(nlp, text)
    assert any(t == person and lab == "PERSON" for t, lab, _ in found), found
    assert not any(lab == "PERSON" and t != person and person in t for t, lab, _ in found), found


def test_a_title_with_a_surname_takes_the_full_name_of_the_document(nlp):
    found = ents(nlp, "Armed forces minister Tobias Ellwood visited the base. Minister Ellwood said it mattered.")
    assert ("Ellwood", "PERSON", "PERSON:tobias-ellwood") in found


def test_a_possessive_splits_only_after_a_known_owner(nlp):
    found = ents(nlp, "Japan's Kyodo news agency reported that the Workers' Party had met.")
    assert ("Japan", "COUNTRY", "COUNTRY:JPN") in found
    assert not any(t in ("Workers", "Party") for t, _, _ in found), found


def test_the_built_pipeline_keeps_its_place_names_in_one_file(nlp, registry, tmp_path):
    from pipeline.gazetteer import PLACE_NAMES_FILE, Registry

    nlp.get_pipe("defnews_entity_resolver").to_disk(tmp_path)
    lines = (tmp_path / PLACE_NAMES_FILE).read_text(encoding="utf-8").splitlines()
    assert "kharkiv" in lines and "~cosco" in lines  # a main name, and an alternate spelling (of Cusco)
    assert Registry.from_dir(tmp_path).place_names == registry.place_names


@pytest.mark.parametrize("text,system", [
    ("The new jets will replace the air force's ageing F-5M fleet.", "F-5M"),
    ("Its Mirage 2000-9 jets will be retired by 2030.", "Mirage 2000-9"),
    ("The air force also flies the F-16 Block 52 fighter.", "F-16 Block 52"),
    ("The jets will carry the MICA NG missile.", "MICA NG"),
    ("Two Typhoon FGR4 jets scrambled from the base.", "Typhoon FGR4"),
    ("Canada flies the CP-140 Aurora on Arctic patrols.", "CP-140 Aurora"),
    ("The navy wants a KJ-600 early-warning aircraft for the carrier.", "KJ-600"),
    ("The Collins-class submarines will be replaced.", "Collins-class"),
    ("The Type 26 will replace the F123 and F124 frigates.", "F123"),
])
def test_variants_designations_and_classes_are_systems(nlp, text, system):
    found = ents(nlp, text)
    assert any(t == system and lab == "WEAPON_SYSTEM" for t, lab, _ in found), found


def test_a_base_name_beats_the_air_force_acronym_inside_it(nlp):
    found = ents(nlp, "The tankers flew from RAF Brize Norton on Tuesday.")
    assert any(t == "RAF Brize Norton" and lab == "LOCATION" for t, lab, _ in found), found
    assert not any(t == "RAF" for t, _, _ in found), found


def test_a_maker_before_its_product_stays_the_maker(nlp):
    found = ents(nlp, "The navy ordered six Boeing P-8A Poseidon aircraft.")
    assert ("Boeing", "ORG", "ORG:boeing") in found, found


@pytest.mark.parametrize("text,name,label", [
    # person names whole: the model cut them short or left them after a title
    ("Defence Minister Ng Eng Hen told lawmakers the jets were needed.", "Ng Eng Hen", "PERSON"),
    ("President Sauli Niinistö backed the choice.", "Sauli Niinistö", "PERSON"),
    ("The visit was attended by then President Moon Jae-in.", "Moon Jae-in", "PERSON"),
    # firms by their company words
    ("The radar comes from Hensoldt Sensors and Atlas Elektronik.", "Atlas Elektronik", "ORG"),
    ("The work went to General Dynamics Mission Systems.", "General Dynamics Mission Systems", "ORG"),
    # a title's portfolio is no organisation; a ministry named in full is one
    ("The Department of National Defense said the talks went well.", "Department of National Defense", "ORG"),
    # an organisation's name without the lower-case words after it, with a capital "The" inside a sentence
    ("The populist ANO party of Andrej Babis won the election.", "ANO", "ORG"),
    ("The report was published by The Globe and Mail on Monday.", "The Globe and Mail", "ORG"),
    # firms by their legal form, the name whole ("On Monday" is no part of it)
    ("Rheinmetall Landsysteme GmbH delivered the first vehicles.", "Rheinmetall Landsysteme GmbH", "ORG"),
    ("On Monday Damen Shipyards Group NV signed the contract.", "Damen Shipyards Group NV", "ORG"),
    ("The frigates are built by Naval Group SA in Lorient.", "Naval Group SA", "ORG"),
    # military units are organisations
    ("The jets will be based with the Sixth Air Brigade in the south.", "Sixth Air Brigade", "ORG"),
    ("The jets will be based at the Satakunta Air Wing near Pirkkala.", "Satakunta Air Wing", "ORG"),
    ("The helicopters belong to the 3rd Infantry Division, the army said.", "3rd Infantry Division", "ORG"),
    ("The jets will fly with the 12th Wing at Torrejon, the air force said.", "12th Wing", "ORG"),
    ("The crews trained with the Lapland Air Wing near Rovaniemi.", "Lapland Air Wing", "ORG"),
    # places by their cue words
    ("Shells fell on the northern town of Kabkabiya overnight.", "Kabkabiya", "LOCATION"),
    ("The minister flew to Ushuaia on Friday.", "Ushuaia", "LOCATION"),
    ("The plant is about 100 kilometres south of Seoul.", "Seoul", "LOCATION"),
    ("Russia annexed Crimea in 2014.", "Crimea", "LOCATION"),
    # a place name the model cut at a joining word is one place; "on" joins only with hyphens
    ("The shipyard in Komsomolsk-on-Amur builds the jets.", "Komsomolsk-on-Amur", "LOCATION"),
    ("The plant in São Bernardo do Campo opened in 2023.", "São Bernardo do Campo", "LOCATION"),
    ("The minister will travel to Frankfurt-am-Main next week.", "Frankfurt-am-Main", "LOCATION"),
    # places after a verb of travel whatever their capitals, and after a facility and "at", "in" or "near"
    ("The secretary of state travelled to AlUla, where he met the crown prince.", "AlUla", "LOCATION"),
    ("Jets struck an airfield at Hodeidah used to launch drones.", "Hodeidah", "LOCATION"),
    ("The parts are made at a plant near Sacheon, the company said.", "Sacheon", "LOCATION"),
    # a news outlet by what it is called before its name
    ("According to the German business daily Handelsblatt, the deal is worth $2bn.", "Handelsblatt", "ORG"),
    ("The investigative website Bellingcat first reported the strike.", "Bellingcat", "ORG"),
    ("The talks went well, according to the state news agency Yonhap.", "Yonhap", "ORG"),
    # a place name with "the" in apposition to a kind of ship is a ship, and so are its other mentions with "the"
    ("The Kolkata, India's first stealth destroyer, sailed on Monday. The Kolkata carries BrahMos missiles.",
     "Kolkata", "WEAPON_SYSTEM"),
    ("Japan's two largest warships, the Izumo and the Kaga, are being converted.", "Kaga", "WEAPON_SYSTEM"),
    ("Troops moved from Kyiv on Monday to Lviv.", "Kyiv", "LOCATION"),
    # a city the model read as a product, after a locative (also coordinated with another place)
    ("Air defence units shot down 23 of 28 Shahed drones launched from Primorsko-Akhtarsk and Kursk overnight.",
     "Kursk", "LOCATION"),
    # a surname the model read as a place, the head of the name before it
    ("The frigate was commissioned in the presence of Vice Admiral Sanjay Jasjit Singh, the commander.",
     "Sanjay Jasjit Singh", "PERSON"),
])
def test_whole_names_firms_units_and_places_by_their_cues(nlp, text, name, label):
    found = ents(nlp, text)
    assert any(t == name and lab == label for t, lab, _ in found), found


def test_a_province_stays_a_place_beside_the_ship_named_after_it(nlp):
    found = ents(nlp, "The Hainan, a new assault ship, left port. Storms hit the southern province of Hainan.")
    assert ("Hainan", "WEAPON_SYSTEM") in {(t, lab) for t, lab, _ in found}, found
    assert ("Hainan", "LOCATION") in {(t, lab) for t, lab, _ in found}, found


def test_a_generic_ministry_belongs_to_the_country_the_article_names_most(nlp):
    found = ents(nlp, "Spain will buy 20 jets, the Ministry of Defence said. Spain has flown Hornets since 1986.")
    assert ("Ministry of Defence", "ORG", "ORG:esp-ministry-of-defence") in found, found


def test_named_days_and_accords_are_no_entities(nlp):
    found = ents(nlp, "The deal followed the Abraham Accords and was announced on Navy Day.")
    assert not any(t in ("Abraham Accords", "Navy Day") for t, _, _ in found), found


def test_a_titles_portfolio_is_no_organisation(nlp):
    """Expected: "Secretary of National Defense X", "Secretary of State X": no ORG for "National Defense" or
    "State", the person found whole."""
    found = ents(nlp, "Secretary of National Defense Gilberto Teodoro met Secretary of State Antony Blinken. The NAF "
                      "Director of Public Relations and Information, Edward Gabkwet, said so.")
    assert {t for t, lab, _ in found if lab == "ORG"} == {"NAF"}, found
    assert {t for t, lab, _ in found if lab == "PERSON"} == {"Gilberto Teodoro", "Antony Blinken", "Edward Gabkwet"}


@pytest.mark.parametrize("text,expected", [
    ("Qatar ordered 24 Typhoons from BAE Systems.", {"Typhoons"}),
    ("The Eurofighter Typhoon is a fighter. The Typhoon first flew in 1994.", {"Eurofighter Typhoon", "Typhoon"}),
    ("A typhoon hit Okinawa. Typhoon Haiyan struck the Philippines in 2013.", set()),
])
def test_a_name_that_is_a_system_only_in_context(nlp, text, expected):
    """Expected: "Typhoon" (a registry context alias: also a storm) is the Eurofighter where a number stands
    before it or the document names the Eurofighter Typhoon otherwise; never in a story about storms."""
    found = ents(nlp, text)
    assert {t for t, lab, _ in found if lab == "WEAPON_SYSTEM"} == expected, found


def test_a_surname_alone_is_the_person_the_document_names_in_full(nlp):
    """Expected: "Obradovic" (untagged or tagged as a place by the model) after "Marko Obradovic" is that person,
    with the full name's key; a capitalised word that is no one's surname stays what it was."""
    found = ents(nlp, "Serbian envoy Marko Obradovic met Anna Lindqvist in Oslo. Later Obradovic spoke by phone "
                      "with Lindqvist about Kosovo.")
    keys = {t: k for t, lab, k in found if lab == "PERSON"}
    assert keys.get("Obradovic") == keys["Marko Obradovic"] and keys.get("Lindqvist") == keys["Anna Lindqvist"], found
    assert ("Oslo", "LOCATION") in {(t, lab) for t, lab, _ in found}, found
