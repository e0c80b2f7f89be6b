"""The evaluate stage agrees with the reference scorer, and its figures meet the floor this commit reached."""
import importlib.util

from conftest import GOLD, ROOT, read_tables
from pipeline.evaluate import read_gold, score


def reference():
    spec = importlib.util.spec_from_file_location("reference_score", ROOT / "tests" / "reference_score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_evaluate_agrees_with_the_reference_scorer(dev_run):
    ours = score(read_tables(dev_run), read_gold(GOLD))
    ref = reference().score(dev_run, GOLD)
    for part in ("entities", "relations"):
        assert set(ours.summary()[part]) == set(ref[part])
        for key, v in ref[part].items():
            assert {k: ours.summary()[part][key][k] for k in v} == v, (part, key)
    assert ours.negated_as_positive == ref["negated_relations_output"]


def test_dev_set_scores_do_not_regress(dev_run):
    s = score(read_tables(dev_run), read_gold(GOLD))
    assert s.entities["ALL"]["f"] >= 0.95
    assert s.relations["ALL"]["f"] >= 0.70 and s.relations["ALL"]["p"] >= 0.88
    assert s.negated_as_positive == 0


def test_readme_shows_the_current_score_table():
    from pipeline.evaluate import readme_with_scores

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_with_scores(readme, ROOT / "metrics" / "eval.json") == readme


def test_details_do_not_depend_on_set_order(dev_run):
    s = score(read_tables(dev_run), read_gold(GOLD))
    for misses in s.by_document.values():
        for kind in ("relation_fn", "relation_fp"):
            assert misses.get(kind, []) == sorted(misses.get(kind, []))
