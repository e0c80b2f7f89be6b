"""The relations stage: typed relations between resolved entities, read off the dependency parse.

Pure core: `extract_relations(doc, rules)` takes an annotated Doc (entities resolved by the pipeline) and returns
`Relation` records; the trigger lexicons, argument roles and cue words come from `models/relations/rules.yaml`
(`load_rules`). Negation and hedges become columns, never dropped rows. One module per rule family:

- `rules`: `Rules`, read from the rules file (`load_rules`), with what the registry knows (`with_registry`);
- `syntax`: reading the parse (phrase heads, how a phrase attaches to a trigger, clause words, negation, hedges);
- `triggers`: trigger relations, a trigger word and the entities attached to it (selling words make the receiver
  the buyer and the seller its supplier);
- `roles`: holds_role from titles, and the implicit countries of government titles (`settle_role_countries`);
- `makers`: manufactures (and operators) read off a system's own phrase;
- `procurement`: quantity, value and supplier of a procurement statement; `dates`: the day a statement gives;
- `relation`: the `Relation` record and a document's entities read once (`EntityIndex`);
- `extract`: every family over a document, deduplicated (`extract_relations`);
- `records`: relations as table rows (`relation_records`, `doc_records`, `resolve_records`, `resolve_table`),
  and the corpus pass of implicit role countries (`settle_corpus_roles`).

Imports run one way (rules, procurement, dates <- relation, syntax <- the families <- extract <- records; a test
keeps it so); nothing here reads files except `load_rules`.
"""
from __future__ import annotations

from .extract import extract_relations
from .records import (doc_records, relation_records, relation_rows, resolve_records, resolve_table,
                      settle_corpus_roles)
from .relation import EntityIndex, Relation
from .roles import settle_role_countries
from .rules import Rules, load_rules, with_registry

__all__ = [
    "EntityIndex", "Relation", "Rules", "doc_records", "extract_relations", "load_rules", "relation_records",
    "relation_rows", "resolve_records", "resolve_table", "settle_corpus_roles", "settle_role_countries",
    "with_registry",
]
