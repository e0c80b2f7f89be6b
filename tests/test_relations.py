"""One test per relation construction, on real sentences from defence news."""
import pytest

from pipeline.relations import extract_relations


def rels(nlp, rules, text):
    return {(r.subject.kb_id_, r.predicate, r.object.kb_id_, r.negated) for r in extract_relations(nlp(text), rules)}


def detail(nlp, rules, text, predicate):
    return [r for r in extract_relations(nlp(text), rules) if r.predicate == predicate]


def test_passive_participle_gives_manufactures(nlp, rules):
    found = rels(nlp, rules, "As a potential model under Japan’s evaluation, he cited ANKA, produced by "
                             "Turkish Aerospace Industries (TUSAS).")
    assert ("ORG:turkish-aerospace-industries", "manufactures", "WEAPON_SYSTEM:anka", False) in found


def test_under_x_evaluation_gives_considers_procuring(nlp, rules):
    found = rels(nlp, rules, "As a potential model under Japan’s evaluation, he cited ANKA, produced by "
                             "Turkish Aerospace Industries (TUSAS).")
    assert ("COUNTRY:JPN", "considers_procuring", "WEAPON_SYSTEM:anka", False) in found


def test_possessive_maker_covers_coordinated_systems(nlp, rules):
    found = rels(nlp, rules, "Guler also said Baykar’s Bayraktar TB2 drones and their follow-on model, the "
                             "Bayraktar TB3, could contribute to Japan’s defence capabilities.")
    assert ("ORG:baykar", "manufactures", "WEAPON_SYSTEM:bayraktar-tb2", False) in found
    assert ("ORG:baykar", "manufactures", "WEAPON_SYSTEM:bayraktar-tb3", False) in found


def test_premodifier_title_gives_holds_role(nlp, rules):
    r = detail(nlp, rules, "Turkish Defence Minister Yasar Guler said cooperation has potential.", "holds_role")
    assert [(x.subject.kb_id_, x.object.kb_id_, x.role) for x in r] == [
        ("PERSON:yasar-guler", "COUNTRY:TUR", "Defence Minister")]


def test_apposition_title_gives_holds_role(nlp, rules):
    r = detail(nlp, rules, "Haluk Bayraktar, Baykar's chief executive, announced the deal.", "holds_role")
    assert [(x.subject.kb_id_, x.object.kb_id_, x.role) for x in r] == [
        ("PERSON:haluk-bayraktar", "ORG:baykar", "chief executive")]


def test_counterpart_holds_the_role_the_sentence_gives_the_other_person(nlp, rules):
    r = detail(nlp, rules, "Indian Foreign Minister Subrahmanyam Jaishankar held talks with his Chinese counterpart "
                           "Wang Yi in Beijing.", "holds_role")
    assert {(x.subject.text, x.object.kb_id_, x.role) for x in r} == {
        ("Subrahmanyam Jaishankar", "COUNTRY:IND", "Foreign Minister"), ("Wang Yi", "COUNTRY:CHN", "Foreign Minister")}
    # with no country named for the counterpart, no guess
    r = detail(nlp, rules, "Indian Foreign Minister Subrahmanyam Jaishankar held talks with his counterpart "
                           "Wang Yi in Beijing.", "holds_role")
    assert [x.subject.text for x in r] == ["Subrahmanyam Jaishankar"]


def test_a_visit_by_someone_is_to_where_the_clause_it_times_happened(nlp, rules):
    found = rels(nlp, rules, "The agreement was signed in Tokyo during a visit by US Defense Secretary Pete Hegseth.")
    assert ("PERSON:pete-hegseth", "visits", "LOCATION:tokyo", False) in found
    # a clause on the visitor is no place of the visit's own
    found = rels(nlp, rules, "The agreement was signed in Tokyo during a visit by US Defense Secretary Pete Hegseth, "
                             "who held talks with officials at the defence ministry.")
    assert ("PERSON:pete-hegseth", "visits", "LOCATION:tokyo", False) in found
    # a place of the visit's own is no place of the clause
    found = rels(nlp, rules, "Fighting broke out in Kharkiv during a visit by Zelensky to Berlin.")
    assert not any(p == "visits" and o == "LOCATION:kharkiv" for _, p, o, _ in found)


def test_production_under_licence_from_a_firm_is_cooperation(nlp, rules):
    r = detail(nlp, rules, "Turkish Aerospace Industries will build the engines under license from General Electric.",
               "cooperates_with")
    assert {(x.subject.text, x.object.text) for x in r} == {("Turkish Aerospace Industries", "General Electric")}


def test_interest_in_a_system_is_considering_it(nlp, rules):
    r = detail(nlp, rules, "Vietnam and Malaysia have reportedly shown interest in the BrahMos.", "considers_procuring")
    assert {(x.subject.kb_id_, x.object.kb_id_, x.hedged) for x in r} == {
        ("COUNTRY:VNM", "WEAPON_SYSTEM:brahmos", True), ("COUNTRY:MYS", "WEAPON_SYSTEM:brahmos", True)}
    found = rels(nlp, rules, "Japan is interested in the Bayraktar TB2 drone, officials said.")
    assert ("COUNTRY:JPN", "considers_procuring", "WEAPON_SYSTEM:bayraktar-tb2", False) in found


def test_between_x_and_y_gives_symmetric_cooperation(nlp, rules):
    found = rels(nlp, rules, "Guler said defence industry cooperation between Türkiye and Japan has potential.")
    pairs = {(s, o) for s, p, o, n in found if p == "cooperates_with"}
    assert pairs in ({("COUNTRY:TUR", "COUNTRY:JPN")}, {("COUNTRY:JPN", "COUNTRY:TUR")})


def test_visit_of_a_capital_used_as_actor(nlp, rules):
    found = rels(nlp, rules, "After Japanese Defence Minister Nakatani Gen visited Ankara, the two countries held "
                             "talks. Ankara’s only goal is peace.")
    assert ("PERSON:nakatani-gen", "visits", "COUNTRY:TUR", False) in found
    assert ("PERSON:nakatani-gen", "holds_role", "COUNTRY:JPN", False) in found
    assert not any(s == "COUNTRY:JPN" and p == "visits" for s, p, o, n in found)


def test_delegation_from_x_is_expected_to_visit(nlp, rules):
    found = rels(nlp, rules, "He noted a delegation from the Turkish Defence Ministry is expected to visit Japan "
                             "in March.")
    assert ("ORG:turkish-defence-ministry", "visits", "COUNTRY:JPN", False) in found


def test_willing_to_deploy_troops_to(nlp, rules):
    found = rels(nlp, rules, "Guler said Türkiye is willing to deploy its troops to Gaza.")
    assert ("COUNTRY:TUR", "deploys_to", "LOCATION:gaza", False) in found


def test_active_purchase_with_supplier(nlp, rules):
    r = detail(nlp, rules, "Poland will buy 24 Bayraktar TB2 armed drones from Turkey, the minister said.",
               "procures")
    assert [(x.subject.kb_id_, x.object.kb_id_, x.status) for x in r] == [
        ("COUNTRY:POL", "WEAPON_SYSTEM:bayraktar-tb2", "ordered")]


def test_coordinated_buyers_each_procure(nlp, rules):
    found = rels(nlp, rules, "Azerbaijan, Ukraine, Qatar and Libya have bought the TB2.")
    buyers = {s for s, p, o, n in found if p == "procures" and o == "WEAPON_SYSTEM:bayraktar-tb2"}
    assert buyers == {"COUNTRY:AZE", "COUNTRY:UKR", "COUNTRY:QAT", "COUNTRY:LBY"}


def test_request_to_buy_is_considering_not_procuring(nlp, rules):
    found = rels(nlp, rules, "Washington turned down Bangkok’s request to buy the F-35.")
    assert ("COUNTRY:THA", "considers_procuring", "WEAPON_SYSTEM:f-35", False) in found
    assert not any(p == "procures" and not n for s, p, o, n in found)


def test_negated_purchase_is_kept_and_flagged(nlp, rules):
    r = detail(nlp, rules, "Switzerland did not buy the Rafale.", "procures")
    assert [(x.subject.kb_id_, x.object.kb_id_, x.negated, x.negation_cue) for x in r] == [
        ("COUNTRY:CHE", "WEAPON_SYSTEM:rafale", True, "not")]


def test_ruled_out_buying_is_negated(nlp, rules):
    found = rels(nlp, rules, "Seoul ruled out buying the Patriot system.")
    assert found and all(n for s, p, o, n in found if p in ("procures", "considers_procuring"))


def test_hedged_statement_is_flagged(nlp, rules):
    r = detail(nlp, rules, "Indonesia could also buy the BrahMos missile, officials said.", "considers_procuring")
    assert r and r[0].subject.kb_id_ == "COUNTRY:IDN" and r[0].hedged


def test_agreement_to_buy_takes_the_signer_as_buyer(nlp, rules):
    r = detail(nlp, rules, "Germany signed an agreement on Thursday to buy the Arrow 3 missile defence system "
                           "from Israel.", "procures")
    assert [(x.subject.kb_id_, x.object.kb_id_, x.status) for x in r] == [
        ("COUNTRY:DEU", "WEAPON_SYSTEM:arrow-3", "ordered")]


def test_participle_after_the_class_noun_gives_the_maker(nlp, rules):
    found = rels(nlp, rules, "Switzerland's government on Wednesday chose the F-35A stealth fighter made by "
                             "Lockheed Martin as the country's next combat jet.")
    assert ("ORG:lockheed-martin", "manufactures", "WEAPON_SYSTEM:f-35a", False) in found
    assert ("COUNTRY:CHE", "considers_procuring", "WEAPON_SYSTEM:f-35a", False) in found


def test_hyphenated_maker_and_possessive_maker_without_a_parse(nlp, rules):
    found = rels(nlp, rules, "The RTAF chose the Swedish-built Gripen E/F over Lockheed Martin’s F-16 Block 70/72 "
                             "after a lengthy evaluation.")
    assert ("COUNTRY:SWE", "manufactures", "WEAPON_SYSTEM:gripen-e-f", False) in found
    assert ("ORG:lockheed-martin", "manufactures", "WEAPON_SYSTEM:f-16-block-70-72", False) in found


def test_pronoun_subject_is_the_last_subject_of_its_kind(nlp, rules):
    found = rels(nlp, rules, "Kuwait has been modernising its armed forces. It took delivery of its first "
                             "Eurofighter Typhoon jets in late 2021.")
    assert ("COUNTRY:KWT", "procures", "WEAPON_SYSTEM:eurofighter-typhoon", False) in found


def test_sending_its_own_system_is_a_deployment_not_a_sale(nlp, rules):
    found = rels(nlp, rules, "Hegseth announced that the United States would send its NMESIS anti-ship missile "
                             "system to the Philippines.")
    assert ("COUNTRY:USA", "deploys_to", "COUNTRY:PHL", False) in found
    assert not any(p == "procures" for s, p, o, n in found)


def test_ruled_out_sending_troops_is_a_negated_deployment(nlp, rules):
    found = rels(nlp, rules, "Seoul has ruled out sending its own troops to Ukraine but has said it could "
                             "consider supplying weapons.")
    assert ("COUNTRY:KOR", "deploys_to", "COUNTRY:UKR", True) in found
    assert ("COUNTRY:KOR", "deploys_to", "COUNTRY:UKR", False) not in found


def test_joint_venture_members_cooperate_the_venture_does_not(nlp, rules):
    found = rels(nlp, rules, "BrahMos Aerospace is a joint venture between India's Defence Research and "
                             "Development Organisation (DRDO) and Russia's NPO Mashinostroyeniya.")
    pairs = {frozenset((s, o)) for s, p, o, n in found if p == "cooperates_with"}
    assert pairs == {frozenset(("ORG:defence-research-and-development-organisation", "ORG:npo-mashinostroyeniya"))}


def test_spoke_to_two_leaders_meets_each_not_each_other(nlp, rules):
    found = rels(nlp, rules, "Malaysian Prime Minister Anwar Ibrahim said he had spoken to both Hun Manet and "
                             "Phumtham Wechayachai and urged them to stand down.")
    pairs = {frozenset((s, o)) for s, p, o, n in found if p == "meets"}
    assert pairs == {frozenset(("PERSON:anwar-ibrahim", "PERSON:hun-manet")),
                     frozenset(("PERSON:anwar-ibrahim", "PERSON:phumtham-wechayachai"))}


def test_maker_in_apposition(nlp, rules):
    found = rels(nlp, rules, "The contracts were signed by representatives of Hanwha Defense, the maker of the K9.")
    assert ("ORG:hanwha-defense", "manufactures", "WEAPON_SYSTEM:k9-thunder", False) in found


def test_implicit_country_of_a_title_is_the_one_country_in_the_sentence(nlp, rules):
    r = detail(nlp, rules, "Turkey has become a leading exporter of drones, and President Recep Tayyip Erdogan "
                           "has made defence sales a central plank of his foreign policy.", "holds_role")
    assert [(x.subject.kb_id_, x.object.kb_id_, x.role) for x in r] == [
        ("PERSON:recep-tayyip-erdogan", "COUNTRY:TUR", "President")]


def test_possessed_fleet_in_service_is_operated_not_made(nlp, rules):
    r = detail(nlp, rules, "The jets would replace the Swiss Air Force's ageing F/A-18 Hornet and F-5 Tiger fleets "
                           "from around 2030.", "procures")
    assert {(x.subject.kb_id_, x.object.kb_id_, x.status) for x in r} == {
        ("ORG:swiss-air-force", "WEAPON_SYSTEM:f-a-18-hornet", "operates"),
        ("ORG:swiss-air-force", "WEAPON_SYSTEM:f-5-tiger", "operates")}
    assert not detail(nlp, rules, "The jets would replace the Swiss Air Force's ageing F/A-18 Hornet fleet.",
                      "manufactures")


def test_its_ageing_systems_belong_to_the_subject(nlp, rules):
    found = rels(nlp, rules, "Poland plans to use the jets to replace its ageing MiG-29 and Su-22 fighters.")
    assert {("COUNTRY:POL", "procures", "WEAPON_SYSTEM:mig-29", False),
            ("COUNTRY:POL", "procures", "WEAPON_SYSTEM:su-22", False)} <= found


def test_contract_worth_an_amount_to_buy(nlp, rules):
    found = rels(nlp, rules, "Kuwait has signed a contract worth about $370m to buy Bayraktar TB2 armed drones "
                             "from Turkish defence company Baykar, the manufacturer has said.")
    assert ("COUNTRY:KWT", "procures", "WEAPON_SYSTEM:bayraktar-tb2", False) in found


def test_travelled_from_a_place_was_there(nlp, rules):
    found = rels(nlp, rules, "Hegseth travelled to Japan from Manila, where he met Philippine Defence Secretary "
                             "Gilberto Teodoro on Friday.")
    assert {("PERSON:hegseth", "visits", "COUNTRY:JPN", False), ("PERSON:hegseth", "visits", "LOCATION:manila",
                                                                  False)} <= found


def test_dateline_is_cut_off_the_first_sentence(nlp, rules):
    found = rels(nlp, rules, "BANGKOK, July 24, 2025 - Thailand launched air strikes on Cambodian military targets "
                             "on Thursday.")
    assert ("COUNTRY:THA", "fights", "COUNTRY:KHM", False) in found or (
        "COUNTRY:KHM", "fights", "COUNTRY:THA", False) in found


def test_rules_with_yaml_booleans_are_refused(tmp_path):
    from pipeline.relations import load_rules

    bad = tmp_path / "rules.yaml"
    bad.write_text((__import__("conftest").ROOT / "models/relations/rules.yaml").read_text().replace(
        '[of, for, "on"]', "[of, for, on]"))
    with pytest.raises(ValueError, match="quote it"):
        load_rules(str(bad))


def test_developed_together_with_gives_two_makers_who_cooperate(nlp, rules):
    found = rels(nlp, rules, "The Israeli-made Arrow 3 is designed to intercept ballistic missiles. It was developed "
                             "by Israel Aerospace Industries (IAI) together with US aerospace company Boeing.")
    assert {("ORG:israel-aerospace-industries", "manufactures", "WEAPON_SYSTEM:arrow-3", False),
            ("ORG:boeing", "manufactures", "WEAPON_SYSTEM:arrow-3", False),
            ("COUNTRY:ISR", "manufactures", "WEAPON_SYSTEM:arrow-3", False)} <= found
    assert {frozenset((s, o)) for s, p, o, n in found if p == "cooperates_with"} == {
        frozenset(("ORG:israel-aerospace-industries", "ORG:boeing"))}
    assert not any(s == "COUNTRY:USA" for s, p, o, n in found)


def test_seller_company_is_the_maker_and_made_in_speaks_of_the_one_system(nlp, rules):
    found = rels(nlp, rules, "Poland will buy 24 Bayraktar TB2 armed drones from Turkish company Baykar, becoming "
                             "the first NATO member to acquire the Turkish-made aircraft.")
    assert {("ORG:baykar", "manufactures", "WEAPON_SYSTEM:bayraktar-tb2", False),
            ("COUNTRY:TUR", "manufactures", "WEAPON_SYSTEM:bayraktar-tb2", False),
            ("COUNTRY:POL", "procures", "WEAPON_SYSTEM:bayraktar-tb2", False)} <= found


def test_designation_parsed_as_a_number_still_is_the_object(nlp, rules):
    found = rels(nlp, rules, "Greece has ordered 20 F-35 fighter jets from the United States, the defence ministry "
                             "said on Thursday.")
    assert ("COUNTRY:GRC", "procures", "WEAPON_SYSTEM:f-35", False) in found


def test_denied_reports_negate_the_supply_and_a_ministry_is_no_maker(nlp, rules):
    found = rels(nlp, rules, "The Pentagon denied reports that it would send Patriot batteries to Israel.")
    assert ("COUNTRY:ISR", "procures", "WEAPON_SYSTEM:patriot", True) in found
    assert not any(p == "manufactures" for s, p, o, n in found)
    assert all(n for s, p, o, n in found)


def test_titles_are_not_part_of_the_name(nlp, rules):
    found = rels(nlp, rules, "French President Emmanuel Macron met German Chancellor Olaf Scholz in Paris.")
    assert {("PERSON:emmanuel-macron", "holds_role", "COUNTRY:FRA", False),
            ("PERSON:olaf-scholz", "holds_role", "COUNTRY:DEU", False)} <= found
    assert any(p == "meets" for s, p, o, n in found)


def test_a_sale_agreement_is_no_partnership_but_a_joint_venture_is(nlp, rules):
    sale = rels(nlp, rules, "The agreement between Kuwait's Ministry of Defence and Baykar covers the drones.")
    assert not any(p == "cooperates_with" for s, p, o, n in sale)
    talks = rels(nlp, rules, "Saudi Arabia is in talks with South Korea over the KF-21.")
    assert ("COUNTRY:SAU", "considers_procuring", "WEAPON_SYSTEM:kf-21-boramae", False) in talks


def test_pronoun_kinds_in_the_rules_file_are_checked(tmp_path):
    from pipeline.relations import load_rules

    bad = tmp_path / "rules.yaml"
    bad.write_text((__import__("conftest").ROOT / "models/relations/rules.yaml").read_text().replace(
        "it: THING", "it: PLANE"))
    with pytest.raises(ValueError, match=r"rules.yaml: pronouns.it: 'PLANE' is not a kind of antecedent"):
        load_rules(str(bad))


def test_maker_cue_words_are_read_from_the_rules_file(nlp, rules, registry, tmp_path):
    """The word lists are data: without "built" among the maker participles, "Saab-built" names no maker."""
    from pipeline.relations import load_rules, with_registry

    text = "Hungary operates 14 Saab-built Gripen fighters."
    maker = ("ORG:saab", "manufactures", "WEAPON_SYSTEM:gripen", False)
    assert maker in rels(nlp, rules, text)
    edited = tmp_path / "rules.yaml"
    edited.write_text((__import__("conftest").ROOT / "models/relations/rules.yaml").read_text().replace(
        "maker_participles: [made, built,", "maker_participles: [made,"))
    assert maker not in rels(nlp, with_registry(load_rules(str(edited)), registry), text)


def test_relation_modules_import_one_way_and_are_all_in_the_readme():
    """The package's layout as README states it: each module imports only modules of an earlier layer (no cycle),
    and the README's module table lists every module."""
    import ast

    root = __import__("conftest").ROOT
    layers = [{"rules", "procurement", "dates"}, {"relation", "syntax"}, {"triggers", "roles", "makers", "operators"}, {"extract"},
              {"records"}, {"__init__"}]
    layer = {m: i for i, ms in enumerate(layers) for m in ms}
    modules = {p.stem: p for p in (root / "pipeline/relations").glob("*.py")}
    assert set(modules) == set(layer)
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                targets = [node.module] if node.module else [a.name for a in node.names]
                assert all(layer[t] < layer[name] for t in targets), (name, targets)
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert all(f"| `{m}.py` |" in readme for m in modules if m != "__init__")
