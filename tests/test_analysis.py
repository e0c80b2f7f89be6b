"""docs/analysis.md: every recipe runs on the tables of the sample corpus and prints what the document shows."""
import difflib

from conftest import ROOT
from pipeline.recipes import refresh_outputs

DOC = ROOT / "docs" / "analysis.md"


def test_every_recipe_prints_what_the_document_shows(sample_run):
    text = DOC.read_text(encoding="utf-8")
    assert text.count("```python") >= 9 and text.count("duckdb.sql(") >= 3  # setup + 8 recipes, pandas and DuckDB
    fresh = refresh_outputs(text, sample_run)
    assert fresh == text, "".join(difflib.unified_diff(text.splitlines(True), fresh.splitlines(True), "document",
                                                       "tables"))


def test_a_recipe_output_that_does_not_match_is_caught(sample_run):
    text = DOC.read_text(encoding="utf-8").replace("Mariusz Blaszczak defence minister", "Someone Else defence minister")
    assert refresh_outputs(text, sample_run) != text
