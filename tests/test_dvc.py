"""`dvc repro` on a copy of the project: a full run, an idle rerun, and a rerun after adding an article."""
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import DEV_ARTICLES, ROOT

BIN = Path(sys.executable).parent


def sh(*cmd, cwd):
    env = {"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(cwd), "DVC_NO_ANALYTICS": "1"}
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=True)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    dst = tmp_path_factory.mktemp("project")
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout.split()
    for f in files:
        if (ROOT / f).is_file() and f != "dvc.lock":
            (dst / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / f, dst / f)
    sh("git", "init", "-q", cwd=dst)
    return dst


def test_repro_then_nothing_changed_then_new_article_adds_rows(project):
    sh(str(BIN / "dvc"), "repro", "-q", cwd=project)
    docs = pd.read_parquet(project / "data/processed/documents.parquet")
    assert list(docs.status) == ["ok"]
    n_rel = len(pd.read_parquet(project / "data/processed/relations.parquet"))
    facts = pd.read_parquet(project / "data/processed/facts.parquet")
    assert facts.relation_ids.map(len).sum() == n_rel  # the cross-article tables are made by the same repro
    assert {"procurements.parquet", "roles.parquet"} <= {p.name for p in (project / "data/processed").iterdir()}
    assert sorted(p.name for p in (project / "reports/articles").iterdir()) == [f"{docs.doc_id[0]}.html"]
    assert (project / "reports/index.html").is_file()

    again = sh(str(BIN / "dvc"), "repro", cwd=project).stdout
    assert "didn't change" in again and "Running stage" not in again

    shutil.copy(DEV_ARTICLES / "poland-tb2-2021.txt", project / "seeds")
    sh(str(BIN / "dvc"), "repro", "-q", cwd=project)
    docs = pd.read_parquet(project / "data/processed/documents.parquet")
    assert sorted(docs.source_path) == ["000_fecc4ddad08f1e46.txt", "poland-tb2-2021.txt"]
    rel = pd.read_parquet(project / "data/processed/relations.parquet")
    assert len(rel) > n_rel and rel.doc_id.nunique() == 2
    assert pd.read_parquet(project / "data/processed/facts.parquet").relation_ids.map(len).sum() == len(rel)
    assert sorted(p.stem for p in (project / "reports/articles").iterdir()) == sorted(docs.doc_id)


def test_repro_is_incremental_per_document_and_per_stage(project):
    """After the test above: the new article was the only one parsed; a rules edit re-extracts relations from the
    stored parses and parses nothing; a removed article's rows and stored parse disappear."""
    dvc = str(BIN / "dvc")
    sh(dvc, "repro", "-q", cwd=project)
    shutil.copy(DEV_ARTICLES / "kuwait-tb2-2023.txt", project / "seeds")
    out = sh(dvc, "repro", cwd=project)
    log = out.stdout + out.stderr
    assert "annotate: 1 parsed, 2 unchanged; relations extracted from 1" in log
    assert "doc/s" not in log and "%|" not in log  # progress bars only on a terminal, never in CI logs

    rules = project / "models/relations/rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8") + "\n# an analyst's edit\n", encoding="utf-8")
    out = sh(dvc, "repro", "extract", cwd=project)
    log = out.stdout + out.stderr
    assert "annotate: 0 parsed, 3 unchanged; relations extracted from 3" in log  # from the stored parses
    assert "Running stage 'build_model'" not in log

    (project / "seeds" / "poland-tb2-2021.txt").unlink()
    sh(dvc, "repro", "-q", cwd=project)
    docs = pd.read_parquet(project / "data/processed/documents.parquet")
    assert sorted(docs.source_path) == ["000_fecc4ddad08f1e46.txt", "kuwait-tb2-2023.txt"]
    for table in ("mentions", "relations"):
        assert set(pd.read_parquet(project / f"data/processed/{table}.parquet").doc_id) <= set(docs.doc_id)
    assert len(list((project / "data/interim/annotated/docs").iterdir())) == 2
