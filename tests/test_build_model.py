"""The built pipeline is one directory that plain `spacy.load(path)` opens in a fresh process."""
import json
import subprocess
import sys

from conftest import ROOT
from pipeline.stages import run_build_model


def test_saved_pipeline_loads_without_our_imports(tmp_path, params):
    out = run_build_model(params["model"]["base"], params["model"]["gazetteers"], tmp_path / "defnews_sm")
    code = (
        "import json, spacy, sys\n"
        f"nlp = spacy.load({str(out)!r})\n"
        "doc = nlp('Turkish Defence Minister Yasar Guler praised the Bayraktar TB2.')\n"
        "print(json.dumps([nlp.pipe_names, [(e.text, e.label_, e.kb_id_) for e in doc.ents]]))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    names, ents = json.loads(res.stdout)
    assert names[-1] == "defnews_entity_resolver"
    assert names[0] == "registry_ruler" and names.index("pattern_ruler") < names.index("ner")
    assert ["Bayraktar TB2", "WEAPON_SYSTEM", "WEAPON_SYSTEM:bayraktar-tb2"] in ents
    assert ["Yasar Guler", "PERSON", "PERSON:yasar-guler"] in ents
    assert (out / "defnews_entity_resolver" / "weapon_systems.jsonl").exists()
    assert not list(tmp_path.glob(".*.tmp"))


def test_missing_model_is_one_clear_error(tmp_path):
    res = subprocess.run([sys.executable, "-m", "pipeline", "annotate", "--documents", "x.parquet", "--model",
                          str(tmp_path / "nope"), "--out", str(tmp_path / "a.spacy")], cwd=ROOT,
                         capture_output=True, text=True)
    assert res.returncode == 2
    assert res.stderr.strip().startswith("error:") and "no built pipeline" in res.stderr
    assert "Traceback" not in res.stderr


def test_broken_params_is_one_clear_error(tmp_path):
    bad = tmp_path / "params.yaml"
    bad.write_text("model: [unclosed\n")
    res = subprocess.run([sys.executable, "-m", "pipeline", "--params", str(bad), "run", "--seeds", "seeds",
                          "--out", str(tmp_path / "o")], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 2 and "not valid YAML" in res.stderr and "Traceback" not in res.stderr
