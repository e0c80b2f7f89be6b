"""Cleaning rules on real pages of several outlets' styles: debris out, metadata in, body text intact."""
import datetime as dt

import pytest
from hypothesis import given, settings, strategies as st

from conftest import DEV_ARTICLES, ROOT, SEED
from pipeline.clean import clean_text, load_rules

RULES = load_rules(ROOT / "models" / "cleaning" / "debris.yaml")


def clean(text):
    return clean_text(text, RULES)


def test_seed_aa_page():
    c = clean(SEED.read_text(encoding="utf-8"))
    assert c.title == "Defence industry ties with Japan could reach 'strategic level': Türkiye"
    assert c.published == dt.date(2026, 1, 7) and c.source == "AA" and c.section == "TÜRKİYE RELATIONS"
    assert c.text.startswith("Turkish Defence Minister Yasar Guler said defence industry cooperation")
    assert c.text.endswith("the integration process should be completed as soon as possible.")
    for debris in ("RelatedTRT", "RECOMMENDED", "SOURCE", "Explore", "Myanmar", "Trump", "Norway", "min read",
                   "/ AA", "Combining Japan’s"):
        assert debris not in c.text
    assert c.removed["trailer"] == 16 and c.removed["related_link"] == 2


def test_seed_keeps_every_body_paragraph():
    raw = SEED.read_text(encoding="utf-8")
    c = clean(raw)
    body = raw[raw.index("Turkish Defence Minister Yasar Guler said defence industry cooperation between Türkiye and"
                         " Japan has the potential to reach a “strategic level,”"):raw.index("SOURCE:AA")]
    for para in body.split("\n"):
        if para.strip() and not para.startswith(("Related", "RECOMMENDED")):
            assert para.strip() in c.text


def test_al_jazeera_style_page():
    c = clean((DEV_ARTICLES / "kuwait-tb2-2023.txt").read_text(encoding="utf-8"))
    assert c.title == "Kuwait signs $370m deal for Turkish Bayraktar TB2 drones"
    assert c.published == dt.date(2023, 1, 18) and c.source == "Reuters"
    assert "Qatar, a close ally of Ankara, was the first Gulf customer" in c.text
    for debris in ("Advertisement", "Read more", "Turkey's drone makers eye", "Ethiopia confirms", "Gulf states step",
                   "Finnish President Stubb", "share2", "[File: Reuters]", "More from News"):
        assert debris not in c.text


def test_trade_press_page():
    c = clean((DEV_ARTICLES / "thailand-gripen-2025.txt").read_text(encoding="utf-8"))
    assert c.title == "Thailand orders Gripen E/F fighters after US turned down F-35 request"
    assert c.published == dt.date(2025, 8, 26) and c.section == "Air » Combat Aircraft"
    for debris in ("Tags:", "Malaysia shortlists", "Brazil's Lula", "Share this article", "By Defence Desk"):
        assert debris not in c.text
    assert c.text.endswith("help its campaigns elsewhere in Asia.")


def test_agency_copy_with_dateline_keeps_the_dateline():
    c = clean((DEV_ARTICLES / "switzerland-f35a-2021.txt").read_text(encoding="utf-8"))
    assert c.title == "Switzerland picks US-built F-35A over European rivals in fighter contest"
    assert c.published == dt.date(2021, 6, 30)
    assert c.text.startswith("BERN, June 30, 2021 - Switzerland's government on Wednesday chose the F-35A")


REUTERS = """Japan weighs purchase of Turkish drones, sources say

TOKYO (Reuters) - Japan is considering buying Turkish-made drones, two government sources said on Tuesday, as Tokyo looks to bolster surveillance around its remote islands. The decision could come next year.

The defence ministry declined to comment. Officials said several models were under evaluation.

Reporting by Kiyoshi Takenaka; Editing by Ed Davies
"""

BBC = """Poland buys Korean tanks in record deal
Image source, Getty Images
Image caption, K2 tanks on parade in Seoul
Poland has agreed to buy nearly 1,000 tanks from South Korea, its biggest arms deal in decades. The deal also covers howitzers and fighter jets.

Related talks on a second batch will resume in the autumn, officials said, though no date has been set. Read more about the deal in our explainer, which covers the main points.

Related Topics
Poland
South Korea
"""

TRT = """ date 2024-03-02 WORLD
2 min read
Türkiye delivers first Hurjet trainer
The jet completed its first flight last year.
Türkiye delivers first Hurjet trainer
The Hurjet jet trainer on the runway in Ankara / AA
March 2, 2024

Turkish Aerospace delivered the first Hurjet jet trainer to the air force, officials said on Saturday.

RelatedTRT World - Baykar unveils new drone

The Turkish Air Force plans to replace its ageing T-38 fleet with the Hurjet by 2030.

SOURCE:AA
Explore
Floods in Brazil force thousands from homes
"""


def test_reuters_style_sign_off_and_dateline():
    c = clean(REUTERS)
    assert c.title == "Japan weighs purchase of Turkish drones, sources say"
    assert c.source == "Reuters"
    assert c.text.startswith("TOKYO (Reuters) - Japan is considering buying Turkish-made drones")
    assert "Reporting by" not in c.text and c.removed == {"signoff": 1, "title": 1}


def test_bbc_style_captions_and_related_topics_without_losing_body():
    c = clean(BBC)
    assert c.title == "Poland buys Korean tanks in record deal"
    assert "Image" not in c.text and "Getty" not in c.text and "Related Topics" not in c.text
    assert "Related talks on a second batch will resume in the autumn" in c.text  # a sentence, not a link
    assert "Read more about the deal in our explainer" in c.text
    assert c.text.startswith("Poland has agreed to buy nearly 1,000 tanks")


def test_trt_style_synthetic_page():
    c = clean(TRT)
    assert c.text == ("Turkish Aerospace delivered the first Hurjet jet trainer to the air force, officials said on "
                      "Saturday.\n\nThe Turkish Air Force plans to replace its ageing T-38 fleet with the Hurjet by "
                      "2030.")
    assert c.published == dt.date(2024, 3, 2) and c.source == "AA" and c.section == "WORLD"


def test_invisible_characters_and_line_ends_are_normalised():
    c = clean("Title line\r\n\r\nJa\u200bpan and T\u00adürkiye signed\u00a0a deal.\r\nSecond line.\r")
    assert c.text == "Japan and Türkiye signed a deal.\nSecond line."


@pytest.mark.parametrize("text", ["", "\x00", "Advertisement\nRECOMMENDED\n2 min read", "x" * 100_000,
                                  "\n\n\n", "Related\nRead more\n"])
def test_odd_input_never_raises(text):
    c = clean(text)
    assert isinstance(c.text, str)


def test_a_body_without_blank_lines_is_kept_whole():
    body = "\n".join(f"Sentence {i} says that Poland bought tanks. It also bought jets." * 4 for i in range(30))
    c = clean("Headline of the story\n" + body)
    assert c.text == body and c.title == "Headline of the story"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_clean_text_never_raises_on_any_text(text):
    clean(text)
