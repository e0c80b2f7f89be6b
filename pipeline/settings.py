"""Reads params.yaml and picks the base spaCy model; one clear error for a broken file or a missing model."""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import yaml

DEFAULT_PARAMS = Path("params.yaml")


class ConfigError(Exception):
    """A problem the user fixes in params.yaml or the environment (reported in one line, no traceback)."""


def load_params(path: str | Path = DEFAULT_PARAMS) -> dict:
    path = Path(path)
    try:
        params = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: not found") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(params, dict):
        raise ConfigError(f"{path}: expected a mapping of stage names to settings")
    for group in ("model", "clean", "annotate", "relations"):
        if not isinstance(params.get(group), dict):
            raise ConfigError(f"{path}: missing or malformed group '{group}'")
    return params


def base_model_name(candidates: list[str] | str) -> str:
    """The first installed base model among the candidates (DEFNEWS_BASE_MODEL, if set, is tried first)."""
    names = [candidates] if isinstance(candidates, str) else list(candidates)
    env = os.environ.get("DEFNEWS_BASE_MODEL")
    if env:
        names.insert(0, env)
    for name in names:
        if Path(name).is_dir() or importlib.util.find_spec(name) is not None:
            return name
    raise ConfigError(f"no base spaCy model installed (tried {', '.join(names)}); run `make setup`")
