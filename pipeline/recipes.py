"""The worked queries of docs/analysis.md, kept true: every ```python block of the document runs, in order and in
one namespace, against a tables folder (seen by the code as `data/processed/`), and the ```text block after it is
what it printed. `refresh_outputs` rewrites those text blocks (`python -m pipeline recipes --tables DIR`); a test
checks the document equals its refreshed self on the tables of the sample corpus.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from pathlib import Path

BLOCK = re.compile(r"```python\n(?P<code>.*?)```\n(?P<gap>\s*)```text\n(?P<out>.*?)```", re.S)
SETUP = re.compile(r"```python\n(?P<code>.*?)```", re.S)


def refresh_outputs(markdown: str, tables_dir) -> str:
    """The document with each recipe's text block replaced by what its python block prints (python blocks with
    no text block after them run too: the setup)."""
    tables_dir = Path(tables_dir).resolve()
    namespace: dict = {"__name__": "recipes"}
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as work:
        (Path(work) / "data").mkdir()
        (Path(work) / "data" / "processed").symlink_to(tables_dir, target_is_directory=True)
        os.chdir(work)
        try:
            out, at = [], 0
            for block in SETUP.finditer(markdown):
                if block.start() < at:
                    continue
                recipe = BLOCK.match(markdown, block.start())
                printed = io.StringIO()
                code = block.group("code")
                with contextlib.redirect_stdout(printed):
                    exec(compile(code, f"docs/analysis.md@{markdown.count(chr(10), 0, block.start()) + 1}", "exec"),
                         namespace)
                if recipe:
                    out += [markdown[at:recipe.start("out")], printed.getvalue().rstrip("\n") + "\n"]
                    at = recipe.end("out")
            out.append(markdown[at:])
        finally:
            os.chdir(here)
    return "".join(out)
