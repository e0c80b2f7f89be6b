"""`settings.yaml_load` (libyaml's parser) reads every YAML file of the project as `yaml.safe_load` does."""
import yaml

from conftest import ROOT
from pipeline.settings import yaml_load


def test_yaml_load_reads_the_projects_files_as_safe_load_does():
    files = [ROOT / "params.yaml", *sorted((ROOT / "models").rglob("*.yaml")), *sorted((ROOT / "tests").rglob("*.yaml"))]
    assert len(files) > 5
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert yaml_load(text) == yaml.safe_load(text), path
