"""Shared fixtures: the real built pipeline and real runs of the whole pipeline (the model is small and fast)."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
os.chdir(ROOT)  # params.yaml and models/ paths are relative to the project root

from pipeline.build_model import build_pipeline  # noqa: E402
from pipeline.relations import load_rules, with_registry  # noqa: E402
from pipeline.settings import load_params  # noqa: E402
from pipeline.stages import run_all  # noqa: E402

SEED = ROOT / "seeds" / "000_fecc4ddad08f1e46.txt"
GOLD = ROOT / "data" / "gold" / "dev" / "gold.jsonl"
DEV_ARTICLES = ROOT / "data" / "gold" / "dev" / "articles"
GOLD2 = ROOT / "data" / "gold" / "dev2" / "gold.jsonl"
DEV2_ARTICLES = ROOT / "data" / "gold" / "dev2" / "articles"
TABLES = ("documents", "mentions", "entities", "relations", "facts", "procurements", "roles")


@pytest.fixture(scope="session")
def params():
    return load_params(ROOT / "params.yaml")


@pytest.fixture(scope="session")
def nlp(params):
    return build_pipeline(params["model"]["base"], params["model"]["gazetteers"])


@pytest.fixture(scope="session")
def built_model(tmp_path_factory, nlp) -> Path:
    """The built pipeline saved to a folder, as the build_model stage writes it (a fresh clone has no
    models/defnews_sm before its first `dvc repro`)."""
    from pipeline.build_model import save_pipeline

    out = tmp_path_factory.mktemp("model") / "defnews_sm"
    save_pipeline(nlp, out)
    return out


@pytest.fixture(scope="session")
def registry(nlp):
    return nlp.get_pipe("defnews_entity_resolver").registry


@pytest.fixture(scope="session")
def rules(params, registry):
    return with_registry(load_rules(str(ROOT / params["relations"]["rules"])), registry)


BAD = "This article makes the EXPLODE_MARKER stage fail. Japan bought drones."  # (a component fails on the marker)


def ending_with(monkeypatch, component: str) -> None:
    """Every pipeline `build_pipeline` builds from now on ends with the registered `component`."""
    import pipeline.build_model as build_model

    build = build_model.build_pipeline

    def build_with(*args):
        nlp = build(*args)
        nlp.add_pipe(component, last=True)
        return nlp

    monkeypatch.setattr(build_model, "build_pipeline", build_with)


def read_tables(out: Path) -> dict[str, pd.DataFrame]:
    return {t: pd.read_parquet(out / f"{t}.parquet") for t in TABLES}


@pytest.fixture(scope="session")
def seed_run(tmp_path_factory, params):
    out = tmp_path_factory.mktemp("seed_run")
    run_all(ROOT / "seeds", out, params)
    return out


@pytest.fixture(scope="session")
def dev_run(tmp_path_factory, params):
    out = tmp_path_factory.mktemp("dev_run")
    run_all(DEV_ARTICLES, out, params)
    return out


def sample_corpus(dst: Path) -> Path:
    """The corpus docs/analysis.md and the report tests use: the shipped seeds (seeds/) and the articles of both
    gold sets (dev/, dev2/), as `python -m pipeline run --seeds` reads one folder (the seed is in seeds/ and dev/:
    one is a duplicate)."""
    shutil.copytree(ROOT / "seeds", dst / "seeds")
    shutil.copytree(DEV_ARTICLES, dst / "dev")
    shutil.copytree(DEV2_ARTICLES, dst / "dev2")
    return dst


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory, params):
    """The tables of the sample corpus (seeds + gold articles)."""
    out = tmp_path_factory.mktemp("sample_run")
    run_all(sample_corpus(tmp_path_factory.mktemp("sample_corpus")), out, params)
    return out


@pytest.fixture(scope="session")
def dev2_run(tmp_path_factory, params):
    out = tmp_path_factory.mktemp("dev2_run")
    run_all(DEV2_ARTICLES, out, params)
    return out


@pytest.fixture(scope="session")
def gold():
    return {r["doc"]: r for r in map(json.loads, GOLD.read_text(encoding="utf-8").splitlines()) if r}


def assert_same_tables(out: Path, expected: Path, *, without: str | None = None) -> None:
    """Every table of run `out` equals that of run `expected`; `without`: a source_path whose documents row only
    `out` has (the poison document an expected run was not given)."""
    import pandas as pd

    for name in TABLES:
        a = pd.read_parquet(out / f"{name}.parquet")
        b = pd.read_parquet(expected / f"{name}.parquet")
        if name == "documents" and without is not None:
            a = a[a.source_path != without].reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b)


def poison_corpus(tmp_path: Path, n: int = 5) -> tuple[list[Path], Path, Path]:
    """The first n dev articles in `seeds` (with bad.txt, the document a test makes fatal) and in `alone` (without
    it): (the good articles, seeds, alone)."""
    good = sorted(DEV_ARTICLES.iterdir())[:n]
    seeds, alone = tmp_path / "seeds", tmp_path / "alone"
    for folder in (seeds, alone):
        folder.mkdir()
        for path in good:
            shutil.copy(path, folder / path.name)
    (seeds / "bad.txt").write_text(BAD + "\n")
    return good, seeds, alone
