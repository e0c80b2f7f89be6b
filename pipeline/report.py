"""The report stage: the tables -> a static, self-contained HTML report (index.html, facts.html and one page per
article under articles/), for an analyst's browser with no network: styles and scripts are inlined, nothing is
fetched. Entity markup is displaCy's (`displacy.render(..., manual=True)` on the cleaned text and the mentions,
written out in `entity_markup`); the drawings are in report_graph.py; the pages are Jinja2 templates under
pipeline/templates/. Deterministic (no timestamps). Incremental: an article page is rendered again only when what it
shows changed (its key, kept in `.page_keys.json` of the output folder); a page is rewritten only when its bytes
change, and pages of documents that are gone are removed.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections import namedtuple
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from .labels import ENTITY_LABELS, PROCUREMENT_STAGES
from .report_graph import procurement_timeline, relation_graph, stage_legend

TEMPLATES = Path(__file__).resolve().parent / "templates"
LABEL_COLOURS = {"PERSON": "#f6c85f", "COUNTRY": "#6fb1e8", "ORG": "#9dd866", "WEAPON_SYSTEM": "#f49c8b",
                 "LOCATION": "#c9a7e8"}
TABLE_NAMES = ("documents", "mentions", "entities", "relations", "facts", "procurements", "roles")
ROW_TABLES = ("mentions", "relations")
MENTION_COLUMNS = ["doc_id", "mention_id", "entity_id", "label", "start_char", "end_char"]
PAGE_KEYS = ".page_keys.json"  # article page -> the key of what it was rendered from


def read_tables(tables_dir) -> dict:
    """The small tables as data frames whose missing values are None (what templates test for), lists as lists;
    the two long ones, mentions and relations, as row tuples (`Rows`): the report looks their rows up by document,
    and a data frame's per-row access costs more than the rendering."""
    tables_dir = Path(tables_dir)
    missing = [n for n in TABLE_NAMES if not (tables_dir / f"{n}.parquet").is_file()]
    if missing:
        raise FileNotFoundError(f"{tables_dir}: no {', '.join(f'{n}.parquet' for n in missing)} (run the pipeline)")
    return {n: rows_of(tables_dir / f"{n}.parquet", MENTION_COLUMNS if n == "mentions" else None)
            if n in ROW_TABLES else pa_frame(tables_dir / f"{n}.parquet") for n in TABLE_NAMES}


def pa_frame(path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    return pd.DataFrame({c: pd.Series(table[c].to_pylist(), dtype=object) for c in table.column_names})


def rows_of(path, columns=None) -> list:
    """A table's rows as named tuples of Python values (the values `pa_frame` holds, read column by column)."""
    import pyarrow.parquet as pq

    table = pq.read_table(path, columns=columns)
    row = namedtuple("Row", table.column_names)
    return [row._make(values) for values in zip(*(table[c].to_pylist() for c in table.column_names))]


# displaCy's entity markup (spacy/displacy/templates.py, TPL_ENTS and TPL_ENT, left to right), written out here so the
# report stage never imports spaCy (1 s); tests/test_report.py checks it against `displacy.render`, byte for byte.
TPL_ENTS = '\n<div class="entities" style="line-height: 2.5; direction: ltr">{content}</div>\n'
TPL_ENT = """
<mark class="entity" style="background: {bg}; padding: 0.45em 0.6em; margin: 0 0.25em; line-height: 1; border-radius: 0.35em;">
    {text}
    <span style="font-size: 0.8em; font-weight: bold; line-height: 1; border-radius: 0.35em; vertical-align: middle; margin-left: 0.5rem">{label}</span>
</mark>
"""


def _escape(text: str) -> str:  # (displaCy's escape_html)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def entity_markup(text: str, ents: list[dict]) -> Markup:
    """displaCy's entity rendering (`displacy.render({"text", "ents"}, style="ent", manual=True)` with our
    colours and labels) of a document's cleaned text with its mentions ({start, end, label}): a mention of
    another label is plain text, line breaks are <br>."""
    out, offset = [], 0
    for e in sorted(ents, key=lambda e: (e["start"], e["end"])):
        out.append(_escape(text[offset : e["start"]]).replace("\n", "<br>"))
        entity = _escape(text[e["start"] : e["end"]])
        label = e["label"]
        if label.upper() in ENTITY_LABELS:
            out.append(TPL_ENT.format(label=label, text=entity, bg=LABEL_COLOURS.get(label.upper(), "#ddd")))
        else:
            out.append(entity)
        offset = e["end"]
    out.append(_escape(text[offset:]).replace("\n", "<br>"))
    return Markup(TPL_ENTS.format(content="".join(out)).strip())


def evidence_markup(rel, mention_spans: dict) -> Markup:
    """The evidence sentence with the subject and object mentions that lie in it marked."""
    start, sentence = int(rel.evidence_start), rel.evidence
    marks = []
    for mid, cls in ((rel.subject_mention_id, "subj"), (rel.object_mention_id, "obj")):
        span = mention_spans.get(mid)
        if span and start <= span[0] and span[1] <= start + len(sentence):
            marks.append((span[0] - start, span[1] - start, cls))
    out, at = [], 0
    for s, e, cls in sorted(marks):
        if s < at:
            continue
        out += [escape(sentence[at:s]), Markup(f'<mark class="{cls}">'), escape(sentence[s:e]), Markup("</mark>")]
        at = e
    out.append(escape(sentence[at:]))
    return Markup("").join(out)


class Namer:
    """Entity names for display: the entities table, else a readable form of the id's key (a registry maker no
    document mentions)."""

    def __init__(self, entities: pd.DataFrame):
        self.names = dict(zip(entities.entity_id, entities.name))
        self.labels = dict(zip(entities.entity_id, entities.label))

    def __call__(self, entity_id) -> str:
        if entity_id is None:
            return ""
        return self.names.get(entity_id) or entity_id.split(":", 1)[-1].replace("-", " ").title()


def _date(value) -> str:
    return "" if value is None else str(value)


def build_pages(t: dict, *, graph_entities: int, top_entities: int, old_keys: dict | None = None,
                on_render=None) -> tuple[dict[str, str], dict[str, str]]:
    """The pages of the report: (relative path -> HTML, relative path -> page key). An article page is rendered
    only when its key (a hash of everything it shows: the document, its mentions and relations, their facts and
    entity names, and the report's code and templates) is not the one in `old_keys`; `on_render(paths)` is called
    with the pages about to be rendered before the first is (the caller forgets their stored keys, so a run stopped
    half-way renders them again). The index and facts pages are always rendered."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["date"] = _date
    assets = {"css": Markup((TEMPLATES / "report.css").read_text(encoding="utf-8")),
              "js": Markup((TEMPLATES / "report.js").read_text(encoding="utf-8"))}
    docs, ents, rels, facts, mentions = t["documents"], t["entities"], t["relations"], t["facts"], t["mentions"]
    name = Namer(ents)
    ok = docs[docs.status == "ok"]
    published, paths = list(ok.published), list(ok.source_path)
    ok = ok.iloc[sorted(range(len(ok)), key=lambda i: (published[i] is None, published[i] or 0, paths[i]))]
    rels_by_doc: dict[str, list] = {}
    for r in rels:
        rels_by_doc.setdefault(r.doc_id, []).append(r)
    ents_by_doc: dict[str, list] = {}
    entity_ids: dict[str, set] = {}
    for m in mentions:
        ents_by_doc.setdefault(m.doc_id, []).append({"start": int(m.start_char), "end": int(m.end_char),
                                                     "label": m.label})
        if m.entity_id is not None:
            entity_ids.setdefault(m.doc_id, set()).add(m.entity_id)
    n_rel = {doc_id: len(rows) for doc_id, rows in rels_by_doc.items()}
    n_ent = {doc_id: len(ids) for doc_id, ids in entity_ids.items()}
    fact_of = {rid: f.fact_id for f in facts.itertuples() for rid in f.relation_ids}
    doc_title = {d.doc_id: d.title or d.source_path for d in docs.itertuples()}
    doc_date = dict(zip(docs.doc_id, docs.published))
    common = {"assets": assets, "colours": LABEL_COLOURS, "name": name}

    graph_svg, n_nodes, n_edges = relation_graph(facts, name.names, name.labels, LABEL_COLOURS,
                                                 max_entities=graph_entities)
    rank = {s: i for i, s in enumerate(PROCUREMENT_STAGES)}
    deals = t["procurements"].assign(stage_rank=[rank.get(s, -1) for s in t["procurements"].furthest_stage])
    top = ents.sort_values(["n_docs", "n_mentions", "name"], ascending=[False, False, True]).head(top_entities)
    pages = {"index.html": env.get_template("index.html").render(
        **common, docs=docs, ok=ok, n_rel=n_rel, n_ent=n_ent,
        status_counts=docs.status.value_counts().to_dict(), not_ok=docs[docs.status != "ok"].sort_values("source_path"),
        label_counts=ents.label.value_counts().reindex(ENTITY_LABELS, fill_value=0).to_dict(), top=top,
        deals=deals.sort_values(["stage_rank", "buyer_id", "system_id"], ascending=[False, True, True]),
        roles=t["roles"].assign(_org=t["roles"].org_id.map(name), _person=t["roles"].person_id.map(name))
        .sort_values(["_org", "role", "first_seen", "_person"], na_position="last"),
        graph=Markup(graph_svg), graph_entities=graph_entities, n_nodes=n_nodes, n_edges=n_edges, n_entities=len(ents), n_facts=len(facts),
        timeline=Markup(procurement_timeline(t["procurements"], name.names)), stages=stage_legend(),
        doc_title=doc_title)}

    rel_by_id = {r.relation_id: r for r in rels}
    statements = {}
    for f in facts.itertuples():
        statements[f.fact_id] = [
            {"doc_id": r.doc_id, "title": doc_title[r.doc_id], "date": doc_date[r.doc_id], "negated": bool(r.negated),
             "hedged": bool(r.hedged), "evidence": r.evidence} for r in map(rel_by_id.__getitem__, f.relation_ids)]
    pages["facts.html"] = env.get_template("facts.html").render(
        **common, facts=facts.sort_values(["predicate", "n_docs", "subject_id"], ascending=[True, False, True]),
        statements=statements)

    spans = {m.mention_id: (m.start_char, m.end_char) for m in mentions}
    template = env.get_template("article.html")
    code = report_code_key()
    keys, todo = {}, []
    for d in ok.itertuples():
        path = f"articles/{d.doc_id}.html"
        doc_rels = sorted(rels_by_doc.get(d.doc_id, ()), key=lambda r: (r.evidence_start, r.predicate))
        doc_ents = ents_by_doc.get(d.doc_id, [])
        keys[path] = page_key(code, [d.doc_id, d.title, d.source_path, d.published, d.source, d.text], doc_ents, [
            [*r, spans.get(r.subject_mention_id), spans.get(r.object_mention_id), fact_of.get(r.relation_id),
             *(name(e) for e in (r.subject_id, r.object_id, r.supplier_id))] for r in doc_rels])
        if (old_keys or {}).get(path) != keys[path]:
            todo.append((path, d, doc_rels, doc_ents))
    if todo and on_render is not None:
        on_render({path for path, *_ in todo})
    for path, d, doc_rels, doc_ents in todo:
        rows = [{"rel": r, "evidence": evidence_markup(r, spans), "fact_id": fact_of.get(r.relation_id)}
                for r in doc_rels]
        pages[path] = template.render(**common, doc=d, text=entity_markup(d.text, doc_ents), relations=rows)
    return pages, keys


def report_code_key() -> str:
    """What every article page depends on besides its data: this code and the templates."""
    h = hashlib.sha256()
    for p in [Path(__file__), Path(__file__).with_name("labels.py"), *sorted(TEMPLATES.iterdir())]:
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def page_key(*content) -> str:
    return hashlib.sha256(json.dumps(content, default=str, ensure_ascii=False).encode()).hexdigest()[:32]


def write_report(tables_dir, out_dir, *, graph_entities: int = 60, top_entities: int = 15) -> int:
    """Render the report of the tables in `tables_dir` into `out_dir`; returns the number of pages. Incremental:
    `out_dir/.page_keys.json` holds each article page's key, so only pages whose key changed are rendered (the
    result is the same as a full render, byte for byte); a page is rewritten only when its bytes change, and
    pages of documents that are gone are removed."""
    out_dir = Path(out_dir)
    (out_dir / "articles").mkdir(parents=True, exist_ok=True)
    keys_file = out_dir / PAGE_KEYS
    try:
        old = json.loads(keys_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = {}
    old = {p: k for p, k in old.items() if isinstance(p, str) and (out_dir / p).is_file()} \
        if isinstance(old, dict) else {}
    pages, keys = build_pages(read_tables(tables_dir), graph_entities=graph_entities, top_entities=top_entities,
                              old_keys=old, on_render=lambda stale: _write_keys(
                                  keys_file, {p: k for p, k in old.items() if p not in stale}))
    for rel_path, html in pages.items():
        path = out_dir / rel_path
        data = html.encode("utf-8")
        if path.is_file() and path.read_bytes() == data:
            continue
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    for old_page in (out_dir / "articles").glob("*.html"):
        if f"articles/{old_page.name}" not in keys:
            old_page.unlink()
    _write_keys(keys_file, keys)
    return len(keys) + 2


def _write_keys(path: Path, keys: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(keys, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)
