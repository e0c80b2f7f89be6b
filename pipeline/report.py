"""The report stage: the tables -> a static, self-contained HTML report (index.html, facts.html and one page per
article under articles/), for an analyst's browser with no network: styles and scripts are inlined, nothing is
fetched. Entity markup is displaCy's (`displacy.render(..., manual=True)` on the cleaned text and the mentions);
the drawings are in report_graph.py; the pages are Jinja2 templates under pipeline/templates/. Deterministic (no
timestamps); a page is rewritten only when its bytes change, and pages of documents that are gone are removed.
"""
from __future__ import annotations

import os
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


def read_tables(tables_dir) -> dict[str, pd.DataFrame]:
    """The tables as data frames whose missing values are None (what templates test for), lists as lists."""
    tables_dir = Path(tables_dir)
    missing = [n for n in TABLE_NAMES if not (tables_dir / f"{n}.parquet").is_file()]
    if missing:
        raise FileNotFoundError(f"{tables_dir}: no {', '.join(f'{n}.parquet' for n in missing)} (run the pipeline)")
    return {n: pa_frame(tables_dir / f"{n}.parquet") for n in TABLE_NAMES}


def pa_frame(path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    return pd.DataFrame({c: pd.Series(table[c].to_pylist(), dtype=object) for c in table.column_names})


def entity_markup(text: str, mentions: pd.DataFrame) -> Markup:
    """displaCy's entity rendering of a document's cleaned text with its mentions."""
    from spacy import displacy

    ents = [{"start": int(m.start_char), "end": int(m.end_char), "label": m.label}
            for m in mentions.sort_values("start_char").itertuples()]
    html = displacy.render({"text": text, "ents": ents, "title": None}, style="ent", manual=True, page=False,
                           options={"colors": LABEL_COLOURS, "ents": list(ENTITY_LABELS)})
    return Markup(html)


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


def build_pages(t: dict[str, pd.DataFrame], *, graph_entities: int, top_entities: int) -> dict[str, str]:
    """Every page of the report: relative path -> HTML."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["date"] = _date
    assets = {"css": Markup((TEMPLATES / "report.css").read_text(encoding="utf-8")),
              "js": Markup((TEMPLATES / "report.js").read_text(encoding="utf-8"))}
    docs, ents, rels, facts = t["documents"], t["entities"], t["relations"], t["facts"]
    name = Namer(ents)
    ok = docs[docs.status == "ok"]
    ok = ok.iloc[sorted(range(len(ok)), key=lambda i: (ok.published.iloc[i] is None, ok.published.iloc[i] or 0,
                                                        ok.source_path.iloc[i]))]
    n_rel = rels.groupby("doc_id").size()
    n_ent = t["mentions"].groupby("doc_id").entity_id.nunique()
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

    rel_by_id = rels.set_index("relation_id")
    statements = {}
    for f in facts.itertuples():
        statements[f.fact_id] = [
            {"doc_id": rel_by_id.doc_id[r], "title": doc_title[rel_by_id.doc_id[r]],
             "date": doc_date[rel_by_id.doc_id[r]], "negated": bool(rel_by_id.negated[r]),
             "hedged": bool(rel_by_id.hedged[r]), "evidence": rel_by_id.evidence[r]} for r in f.relation_ids]
    pages["facts.html"] = env.get_template("facts.html").render(
        **common, facts=facts.sort_values(["predicate", "n_docs", "subject_id"], ascending=[True, False, True]),
        statements=statements)

    spans = dict(zip(t["mentions"].mention_id, zip(t["mentions"].start_char, t["mentions"].end_char)))
    mentions_by_doc = dict(tuple(t["mentions"].groupby("doc_id")))
    rels_by_doc = dict(tuple(rels.groupby("doc_id")))
    template = env.get_template("article.html")
    for d in ok.itertuples():
        doc_rels = rels_by_doc.get(d.doc_id, rels.iloc[:0]).sort_values(["evidence_start", "predicate"])
        rows = [{"rel": r, "evidence": evidence_markup(r, spans), "fact_id": fact_of.get(r.relation_id)}
                for r in doc_rels.itertuples()]
        pages[f"articles/{d.doc_id}.html"] = template.render(
            **common, doc=d, text=entity_markup(d.text, mentions_by_doc.get(d.doc_id, t["mentions"].iloc[:0])),
            relations=rows)
    return pages


def write_report(tables_dir, out_dir, *, graph_entities: int = 60, top_entities: int = 15) -> int:
    """Render the report of the tables in `tables_dir` into `out_dir`; returns the number of pages."""
    pages = build_pages(read_tables(tables_dir), graph_entities=graph_entities, top_entities=top_entities)
    out_dir = Path(out_dir)
    (out_dir / "articles").mkdir(parents=True, exist_ok=True)
    for rel_path, html in pages.items():
        path = out_dir / rel_path
        data = html.encode("utf-8")
        if path.is_file() and path.read_bytes() == data:
            continue
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    for old in (out_dir / "articles").glob("*.html"):
        if f"articles/{old.name}" not in pages:
            old.unlink()
    return len(pages)
