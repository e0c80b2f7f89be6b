"""The clean stage's text core on real pages and on inline snippets of five outlet styles: debris out, metadata in,
body text kept verbatim."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from pipeline.clean import CleanDoc, clean_text, load_rules, normalise, parse_date

ROOT = Path(__file__).resolve().parents[1]
RULES_PATH = ROOT / "models/cleaning/debris.yaml"
SEED = ROOT / "seeds" / "000_fecc4ddad08f1e46.txt"
ARTICLES = ROOT / "data" / "gold" / "dev" / "articles"
GOLD = ROOT / "data" / "gold" / "dev" / "gold.jsonl"
RULES = load_rules(RULES_PATH)


def clean(text: str) -> CleanDoc:
    return clean_text(text, RULES)


def article(name: str) -> str:
    return (ARTICLES / name).read_text(encoding="utf-8")


def paragraphs(doc: CleanDoc) -> list[str]:
    return doc.text.split("\n\n")


# --- real pages -------------------------------------------------------------------------------------------------------

def test_seed_aa_page_metadata_and_debris():
    c = clean(SEED.read_text(encoding="utf-8"))
    assert c.title == "Defence industry ties with Japan could reach 'strategic level': Türkiye"
    assert (c.published, c.source, c.section) == (dt.date(2026, 1, 7), "AA", "TÜRKİYE RELATIONS")
    assert c.text.startswith("Turkish Defence Minister Yasar Guler said defence industry cooperation")
    assert c.text.endswith("said the integration process should be completed as soon as possible.")
    for debris in ("RelatedTRT", "RECOMMENDED", "SOURCE", "Explore", "Myanmar", "Trump", "Norway", "min read", "/ AA",
                   "Combining Japan’s advanced technology", "January 7, 2026", "date 2026"):
        assert debris not in c.text
    assert c.removed == {"caption": 1, "date_line": 1, "explore": 16, "header_date": 1, "reading_time": 1,
                         "recommended": 1, "related_link": 2, "repeated_title": 1, "source_line": 1,
                         "standfirst": 1, "title": 1}


def test_seed_keeps_every_body_paragraph_verbatim_and_in_order():
    raw = SEED.read_text(encoding="utf-8")
    body = raw[raw.index("\n\n") + 2:raw.index("SOURCE:AA")].split("\n\n")
    expected = [p.strip() for p in body if p.strip() and not p.startswith(("RelatedTRT", "RECOMMENDED"))]
    assert len(expected) == 11
    assert paragraphs(clean(raw)) == expected


def test_al_jazeera_page():
    c = clean(article("kuwait-tb2-2023.txt"))
    assert c.title == "Kuwait signs $370m deal for Turkish Bayraktar TB2 drones"
    assert (c.published, c.source, c.section) == (dt.date(2023, 1, 18), "Reuters", None)
    assert "Qatar, a close ally of Ankara, was the first Gulf customer for the drone, buying six of them in 2018." \
        in paragraphs(c)
    assert c.text.startswith("Kuwait has signed a contract worth about $370m")
    assert c.text.endswith("after years of tension.")
    for debris in ("Advertisement", "Read more", "Turkey's drone makers eye new markets", "Ethiopia confirms purchase",
                   "Gulf states step up", "Finnish President Stubb", "share2", "Click here", "[File: Reuters]",
                   "More from News", "Most Read", "Published On", "The Gulf state joins a growing list"):
        assert debris not in c.text
    assert c.removed["read_more"] == 4 and c.removed["advertisement"] == 2 and c.removed["standfirst"] == 1


def test_al_jazeera_news_agencies_source_and_read_more_mid_article():
    c = clean(article("north-korea-kursk-2024.txt"))
    assert c.source == "News Agencies" and c.published == dt.date(2024, 11, 5)
    assert "Mongolia" not in c.text and "Pratas" not in c.text and "Kim Jong Un inspects" not in c.text
    # the body resumes right after the "Read more" block
    assert "South Korea's National Intelligence Service (NIS) first reported the deployment in October" in c.text


def test_trade_press_page():
    c = clean(article("thailand-gripen-2025.txt"))
    assert c.title == "Thailand orders Gripen E/F fighters after US turned down F-35 request"
    assert (c.published, c.section, c.source) == (dt.date(2025, 8, 26), "Air » Combat Aircraft", "Defence Desk")
    for debris in ("Tags:", "Malaysia shortlists", "Brazil's Lula", "Share this article", "By Defence Desk", "Home »",
                   "Most read", "3 min read"):
        assert debris not in c.text
    assert c.text.startswith("Thailand has signed a contract for four Gripen E/F multirole fighters")
    assert c.text.endswith("hope the Thai order will help its campaigns elsewhere in Asia.")


def test_agency_copy_keeps_the_dateline_and_its_offsets():
    raw = article("switzerland-f35a-2021.txt")
    c = clean(raw)
    assert c.title == "Switzerland picks US-built F-35A over European rivals in fighter contest"
    assert c.published == dt.date(2021, 6, 30)
    assert c.text.startswith("BERN, June 30, 2021 - Switzerland's government on Wednesday chose the F-35A")
    assert c.text == raw.split("\n", 1)[1].strip()  # nothing but the title removed: body offsets are unchanged
    assert c.removed == {"title": 1}


def gold_records():
    for name in ("dev", "dev2"):
        folder = ROOT / "data" / "gold" / name
        for line in (folder / "gold.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield pytest.param(folder / "articles", json.loads(line), id=f"{name}/{json.loads(line)['doc']}")


_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


@pytest.mark.parametrize("articles, record", gold_records())
def test_every_gold_article_keeps_its_body_and_metadata(articles, record):
    """On both gold sets: every gold alias the raw body holds is still in the cleaned text (the body is never cut),
    and title and date are the gold ones. A date is only required where the page prints a year above the body
    (agency copy such as "MADRID, June 23 (EFE) -" gives none); it is then never a wrong date."""
    raw = (articles / record["doc"]).read_text(encoding="utf-8")
    c = clean(raw)
    assert c.title == record["title"]
    head = raw[:raw.index(c.text[:12])] if c.text else raw
    if _YEAR.search(head):
        assert str(c.published) == record["published"]
    else:
        assert c.published is None or str(c.published) == record["published"]
    for entity in record["entities"]:
        for alias in entity["aliases"]:
            if alias in raw:
                assert alias in c.text, alias
    for debris in ("Explore", "More from News", "Most read", "Most Read", "RECOMMENDED", "Advertisement", "SOURCE",
                   "min read", "Related", "Share", "Subscribe", "Sign up", "Comments", "Copyright", "©", "Tags:",
                   "Topics:", "Trending", "TRENDING", "Edited by", "About the author", "(Reuters)"):
        assert debris not in c.text
    assert "\n\n\n" not in c.text and c.text == c.text.strip()


# --- inline snippets, one per outlet style ----------------------------------------------------------------------------

TRT = """ date 2024-03-02 WORLD
2 min read
Türkiye delivers first Hurjet trainer
The jet completed its first flight last year, officials said.
Türkiye delivers first Hurjet trainer
The Hurjet jet trainer on the runway in Ankara / AA
March 2, 2024

Turkish Aerospace delivered the first Hurjet jet trainer to the air force, officials said on Saturday.

RelatedTRT World - Baykar unveils new drone

The Turkish Air Force plans to replace its ageing T-38 fleet with the Hurjet by 2030.

RECOMMENDED

Related talks with Spain on a naval version of the jet will resume next month, the ministry said.

SOURCE:AA
Explore
Floods in Brazil force thousands from homes
Erdogan meets Putin in Sochi
"""


def test_trt_aa_style():
    c = clean(TRT)
    assert paragraphs(c) == [
        "Turkish Aerospace delivered the first Hurjet jet trainer to the air force, officials said on Saturday.",
        "The Turkish Air Force plans to replace its ageing T-38 fleet with the Hurjet by 2030.",
        "Related talks with Spain on a naval version of the jet will resume next month, the ministry said.",
    ]
    assert (c.title, c.published, c.source, c.section) == (
        "Türkiye delivers first Hurjet trainer", dt.date(2024, 3, 2), "AA", "WORLD")
    assert c.removed["explore"] == 3 and c.removed["standfirst"] == 1 and c.removed["related_link"] == 1


AL_JAZEERA = """Published On 3 Feb 2024
3 Feb 2024
Click here to share on social media
share2
Indonesia buys 42 Rafale jets from France
Jakarta completes an order that began with six aircraft in 2022.
A Rafale fighter at an air show [File: AFP]

Indonesia has ordered the final 18 of 42 Rafale fighter jets from France's Dassault Aviation, the defence ministry said. Deliveries are due to begin in 2026, it added.

Advertisement

Read more
Malaysia picks Korean FA-50 jets for light fighter role
Vietnam eyes Russian helicopters

The ministry said the contract would take effect once financing was in place. Read more about the jets in the ministry's statement, it told reporters.

SOURCE: AL JAZEERA AND NEWS AGENCIES
More from News
Brazil floods displace thousands
Most Read
1. Pope visits Mongolia
"""


def test_al_jazeera_style():
    c = clean(AL_JAZEERA)
    assert (c.title, c.published, c.source) == ("Indonesia buys 42 Rafale jets from France", dt.date(2024, 2, 3),
                                                "Al Jazeera And News Agencies")
    assert c.text.startswith("Indonesia has ordered the final 18 of 42 Rafale fighter jets")
    # "Read more" inside a sentence is body text
    assert "The ministry said the contract would take effect once financing was in place. Read more about the jets" \
        in c.text
    for debris in ("Malaysia", "Vietnam", "Advertisement", "[File: AFP]", "Brazil", "Pope", "Jakarta completes"):
        assert debris not in c.text
    assert c.removed["read_more"] == 3 and c.removed["more_from"] == 4 and c.removed["caption"] == 1


REUTERS = """Japan weighs purchase of Turkish drones, sources say

TOKYO (Reuters) - Japan is considering buying Turkish-made drones, two government sources said on Tuesday, as Tokyo looks to bolster surveillance around its remote islands. The decision could come next year.

The defence ministry declined to comment. Officials said several models were under evaluation.
Listen to this article
Reporting by Kiyoshi Takenaka; Editing by Ed Davies
"""


def test_reuters_style_dateline_and_sign_off():
    c = clean(REUTERS)
    assert (c.title, c.source, c.published) == ("Japan weighs purchase of Turkish drones, sources say", "Reuters", None)
    # the agency is the source column; its credit is cut from the dateline, so it is no entity of the article
    assert c.text.startswith("TOKYO - Japan is considering buying Turkish-made drones")
    assert c.text.endswith("Officials said several models were under evaluation.")
    assert c.removed == {"dateline_credit": 1, "share": 1, "signoff": 1, "title": 1}


def test_reporting_by_inside_a_sentence_is_kept():
    text = "Headline here\n\nReporting by the BBC showed that Poland paid more for the tanks than Korea did."
    assert clean(text).text == "Reporting by the BBC showed that Poland paid more for the tanks than Korea did."


TRADE = """Home » Naval » Submarines
Norway and Germany order more Type 212CD submarines
By Naval Desk Staff | 8 July 2024
4 min read
Share this article

Norway and Germany have ordered six more Type 212CD submarines from thyssenkrupp Marine Systems (TKMS), bringing the joint fleet to ten boats. The contract is worth about 4.7 billion euros.

Related: Poland picks Saab for Orka submarine programme

Related: the ministry said that talks with industry on maintenance would continue into the autumn.

Tags: Norway, Germany, TKMS, submarines
Most read
1. Spain commissions new frigate
2. Italy orders Eurofighters
"""


def test_trade_press_style():
    c = clean(TRADE)
    assert (c.title, c.published, c.section, c.source) == (
        "Norway and Germany order more Type 212CD submarines", dt.date(2024, 7, 8), "Naval » Submarines", "Naval Desk")
    assert paragraphs(c) == [
        TRADE.split("\n\n")[1],
        "Related: the ministry said that talks with industry on maintenance would continue into the autumn.",
    ]
    assert c.removed["tags"] == 4 and c.removed["related_link"] == 1 and c.removed["breadcrumb"] == 1


BBC = """Poland buys Korean tanks in record deal
Image source, Getty Images
Image caption, K2 tanks on parade in Seoul
Poland has agreed to buy nearly 1,000 tanks from South Korea, its biggest arms deal in decades. The deal also covers howitzers.
Getty Images
Related talks on a second batch will resume in the autumn, officials said, though no date has been set. Read more about the deal in our explainer.
Updated 3 hours ago
Related Topics
Poland
South Korea
"""


def test_bbc_style_captions_and_related_topics():
    c = clean(BBC)
    assert c.title == "Poland buys Korean tanks in record deal"
    assert c.text == (
        "Poland has agreed to buy nearly 1,000 tanks from South Korea, its biggest arms deal in decades. The deal also "
        "covers howitzers.\nRelated talks on a second batch will resume in the autumn, officials said, though no date "
        "has been set. Read more about the deal in our explainer.")
    assert c.removed == {"photo_credit": 3, "tags": 3, "title": 1, "updated": 1}


# --- rule behaviour ---------------------------------------------------------------------------------------------------

def test_caption_repeating_the_lead_is_dropped_without_a_credit():
    text = ("Title of the story\nGuler said cooperation between Türkiye and Japan could reach a strategic level\n\n"
            "Guler said cooperation between Türkiye and Japan could reach a strategic level, citing technology.\n\n"
            "He spoke in Ankara.")
    c = clean(text)
    assert paragraphs(c) == ["Guler said cooperation between Türkiye and Japan could reach a strategic level, citing "
                             "technology.", "He spoke in Ankara."]
    assert c.removed == {"caption_duplicate": 1, "title": 1}


def test_short_body_lines_are_not_taken_for_captions():
    text = "Story\n\nHe said no.\n\nHe said no to the offer.\n\nThe talks ended."
    assert clean(text).text == "He said no.\n\nHe said no to the offer.\n\nThe talks ended."


def test_a_long_multi_sentence_line_survives_any_rule():
    body = ("Photo: the ministry released images of the new drone on Monday, showing it on a runway near the capital "
            "Ankara. "
            "Officials said the aircraft would enter service next year, and that exports to Asia were planned.")
    assert len(body) > 200
    c = clean("Headline\n\n" + body + "\n\nAdvertisement")
    assert c.text == body and c.removed == {"advertisement": 1, "title": 1}


def test_end_marker_followed_by_body_is_only_a_link_block():
    text = ("Headline\n\nFirst paragraph of the story ends here with a full sentence about tanks.\n\nMore from News\n"
            "Other story one\nOther story two\n\nThe second paragraph of the story continues with more about tanks.")
    c = clean(text)
    assert paragraphs(c) == ["First paragraph of the story ends here with a full sentence about tanks.",
                             "The second paragraph of the story continues with more about tanks."]
    assert c.removed == {"more_from": 3, "title": 1}


def test_plain_copy_without_a_headline_keeps_its_first_line():
    text = "Poland will buy 24 Bayraktar TB2 drones from Turkey.\nThe deal was signed in Ankara."
    c = clean(text)
    assert c.title is None and c.text == text


def test_title_given_by_the_input_format():
    c = clean_text("Kuwait orders TB2\n\nKuwait has signed a contract for drones.", RULES, title="Kuwait orders TB2")
    assert c.title == "Kuwait orders TB2" and c.text == "Kuwait has signed a contract for drones."


def test_normalisation():
    raw = ("Title\r\n\r\nJa\u200bpan and T\u00adürkiye\u202fsigned\u00a0a \u201cdeal\u201d.  \r\n"
           "\u200eCafe\u0301 talks\u2060 went on.\r\r\r\r\rLast line.\ufeff")
    c = clean(raw)
    assert c.text == "Japan and Türkiye signed a “deal”.\nCafé talks went on.\n\nLast line."
    assert normalise("a\u2009b \n\n\n\n c\t") == "a b\n\nc"


def test_parse_date_formats():
    assert parse_date("2026-01-07") == dt.date(2026, 1, 7)
    assert parse_date("Wednesday, January 7th, 2026") == dt.date(2026, 1, 7)
    assert parse_date("18 Jan 2023 10:30 GMT") == dt.date(2023, 1, 18)
    assert parse_date("Sept. 5, 2022") == dt.date(2022, 9, 5)
    assert parse_date("2023-13-45") is None and parse_date("soon") is None


@pytest.mark.parametrize("text, expected", [
    ("", ""), ("\x00", ""), ("\n\n\n", ""), ("   \t ", ""),
    ("Advertisement\nRECOMMENDED\n2 min read\nshare2\nSOURCE: AA", ""),
    ("x" * 100_000, "x" * 100_000),
    ("Related\nRead more\n", ""),
    ("\ud800 lone surrogate text.", "\ud800 lone surrogate text."),
])
def test_odd_input_never_raises_and_keeps_text(text, expected):
    assert clean(text).text == expected


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)
       | st.lists(st.sampled_from(["", "Explore", "Read more", "Advertisement", "Headline line", "Body text here.",
                                   " date 2026-01-07 X", "Photo / AA", "Tags: a", "By A B | 1 May 2024"]))
       .map("\n".join))
def test_clean_text_never_raises(text):
    c = clean(text)
    assert isinstance(c.text, str) and c.text == c.text.strip()


def test_rules_load_once_and_reject_unknown_kinds(tmp_path):
    assert load_rules(RULES_PATH) is load_rules(str(RULES_PATH))
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - {name: x, kind: nonsense, pattern: 'x'}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown kind"):
        load_rules(bad)


# --- debris by shape, on invented outlets whose labels no rule names ---------------------------------------------------

PORTAL = """WORLD AFFAIRS
Frontline // 03-02-2025 09:10
Estonia orders more HIMARS launchers as Baltic states deepen air defence ties
Tallinn also signed a letter of intent for IRIS-T batteries with Germany.
Marta Kivi
Senior Correspondent
Share: Facebook · X · Telegram · Email
Estonian soldiers next to a launcher near Tapa. (Sgt. Ann Lee/Estonian Defence Forces)

TALLINN, Feb 3 (Baltic Wire) - Estonia has ordered six more HIMARS launchers from the United States, the defence ministry said on Monday.

Defence Minister Hanno Pevkur said the launchers would be delivered from 2027.

Must-see stories
Lithuania's president vetoes pension reform
Latvia floods close Riga airport runway
Finnish nurses strike for a second week

The ministry said training of crews would begin in Texas next year.

Reading list | Why the Baltic states are buying rocket artillery

Edited By: Jaan Tamm | Updated: Feb 3, 2025, 11:40

Rein Saar - Reporter

(Baltic Wire with AFP and dpa)

Get the Baltic Morning briefing in your inbox. Subscribe now

About the author
Marta Kivi covers security for the paper. She previously reported from Vilnius and Helsinki for a radio station.

Copyright © 2025 Baltic Portal Media Group. All rights reserved. No part of this page may be copied. Reproduction requires written permission from the publisher in every case.

Our readers also liked
Poland's Tusk meets farmers over grain imports
Sweden's navy names new corvette
Norway's wealth fund posts record return
"""


def test_headline_blocks_widgets_credits_and_bios_of_an_unknown_outlet():
    c = clean(PORTAL)
    assert c.title == "Estonia orders more HIMARS launchers as Baltic states deepen air defence ties"
    assert c.published == dt.date(2025, 2, 3) and c.source == "Baltic Wire" and c.section == "WORLD AFFAIRS"
    assert paragraphs(c) == [
        "TALLINN, Feb 3 - Estonia has ordered six more HIMARS launchers from the United States, the defence ministry "
        "said on Monday.",
        "Defence Minister Hanno Pevkur said the launchers would be delivered from 2027.",
        "The ministry said training of crews would begin in Texas next year.",
    ]
    # unlabelled or unknown-labelled headline blocks, mid-body and at the end
    assert c.removed["headline_block"] == 8
    assert c.removed["dateline_credit"] == 1 and c.removed["bio"] == 2 and c.removed["copyright"] == 1
    for rule in ("editor_line", "reporter_line", "credit_line", "newsletter", "related_link", "widget",
                 "header_furniture", "section_line", "standfirst", "caption"):
        assert c.removed.get(rule), rule


def test_a_single_short_line_between_paragraphs_is_a_subhead_and_stays():
    text = ("Story title that is long enough to be one\n\nThe navy commissioned its first frigate of the class on Friday, "
            "officials said.\n\nA new class of ships\n\nThe second ship will follow next year, the shipyard said in a "
            "statement.")
    c = clean(text)
    assert "A new class of ships" in paragraphs(c)


def test_short_sentences_in_a_row_are_body_not_a_headline_block():
    text = ("Headline of the report on the drills\n\nThe drills began on Monday.\nThey will last a week.\n"
            "Ten ships take part.\nNo aircraft carrier was sent.")
    assert clean(text).text.count("\n") == 3


def test_numeric_and_month_name_dates():
    assert parse_date("16-04-2024 17:05") == dt.date(2024, 4, 16)
    assert parse_date("10.12.2021 14:47 • Updated 10.12.2021 18:20") == dt.date(2021, 12, 10)
    assert parse_date("08/04/2024 August 4, 2024") == dt.date(2024, 8, 4)  # the month name decides
    assert parse_date("Issued on: 29/08/2024 - 18:42") == dt.date(2024, 8, 29)
