"""The relation rules give exactly the records of `tests/snapshots/relations.jsonl` on the gold articles, the seeds
and the construction catalogue (`tests/relation_snapshot.py`). A refactor must leave it passing untouched; a rule
change meant to change output regenerates it (`DEFNEWS_UPDATE_SNAPSHOT=1`, or `python -m tests.relation_snapshot
--update`) and the diff is reviewed with the change."""
from __future__ import annotations

import json
import os

from relation_snapshot import SNAPSHOT, UPDATE_ENV, compute, read, write


def test_relation_records_equal_the_snapshot(nlp, rules, params):
    lines = compute(nlp, rules, params)
    assert len(lines) > 500  # every source contributes (a run that lost its inputs must not pass)
    assert {json.loads(x)["source"].split("/")[0] for x in lines} == {"dev", "dev2", "seeds", "catalogue"}
    if os.environ.get(UPDATE_ENV):
        write(lines)
    old = read(SNAPSHOT)
    now, before = set(lines), set(old)
    gone, new = [x for x in old if x not in now], [x for x in lines if x not in before]
    assert not gone and not new, (f"{len(gone)} records gone, {len(new)} new (first gone: {gone[:3]}, first new: "
                                  f"{new[:3]}); if the change is meant, regenerate: {UPDATE_ENV}=1")
    assert old == lines  # and in the same order
