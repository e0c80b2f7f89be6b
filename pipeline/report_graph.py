"""The report's two drawings as SVG strings: the relation graph (networkx's spring layout) and the procurement
timeline. Pure: data frames in, markup out; no file I/O, no network. Colours come from the caller.
"""
from __future__ import annotations

import math
from datetime import date
from html import escape

import networkx as nx
import pandas as pd

from .labels import PROCUREMENT_STAGES

STAGE_COLOURS = {"considering": "#9ecae1", "negotiating": "#6baed6", "ordered": "#2171b5", "delivered": "#31a354",
                 "operates": "#006d2c", "cancelled": "#d62728"}


def relation_graph(facts: pd.DataFrame, names: dict, labels: dict, colours: dict, *, max_entities: int,
                   width: int = 1200, height: int = 860) -> tuple[str, int, int]:
    """SVG of the positive facts among the `max_entities` entities with the most supporting documents (those left
    with no link among them are not drawn); edges weighted by n_docs. Returns (svg, number of nodes drawn, number of edges drawn)."""
    positive = facts[facts.n_docs > 0]
    weight = pd.concat([positive.groupby("subject_id").n_docs.sum(), positive.groupby("object_id").n_docs.sum()])
    weight = weight.groupby(level=0).sum()
    keep = set(sorted(weight.index, key=lambda e: (-weight[e], e))[:max_entities])
    graph = nx.Graph()
    for e in sorted(keep):
        graph.add_node(e)
    for f in positive.itertuples():
        if f.subject_id in keep and f.object_id in keep:
            if graph.has_edge(f.subject_id, f.object_id):
                graph[f.subject_id][f.object_id]["weight"] += f.n_docs
                graph[f.subject_id][f.object_id]["predicates"].append(f.predicate)
            else:
                graph.add_edge(f.subject_id, f.object_id, weight=f.n_docs, predicates=[f.predicate])
    graph.remove_nodes_from(sorted(nx.isolates(graph)))  # its partners were not among the kept entities
    if not graph:
        return '<p class="empty">No facts to draw.</p>', 0, 0
    pos = component_layout(graph, width, height)

    def xy(node):
        return pos[node]

    out = [f'<svg class="graph" viewBox="0 0 {width} {height}" role="img" data-nodes="{len(graph)}" '
           f'data-edges="{graph.number_of_edges()}" xmlns="http://www.w3.org/2000/svg">']
    for a, b, data in sorted(graph.edges(data=True)):
        (x1, y1), (x2, y2) = xy(a), xy(b)
        label = f"{names.get(a, a)} — {', '.join(sorted(set(data['predicates'])))} — {names.get(b, b)}"
        out.append(f'<line class="edge" data-a="{escape(a)}" data-b="{escape(b)}" x1="{x1}" y1="{y1}" x2="{x2}" '
                   f'y2="{y2}" stroke-width="{1 + 1.5 * math.log2(data["weight"]):.1f}">'
                   f'<title>{escape(label)} ({data["weight"]} doc.)</title></line>')
    for node in sorted(graph.nodes):
        x, y = xy(node)
        r = 5 + 2.2 * math.sqrt(weight[node])
        name = names.get(node, node)
        # a label near a side grows inwards, so the drawing does not cut it
        anchor = "start" if x < width * 0.12 else "end" if x > width * 0.88 else "middle"
        tx = x - r if anchor == "start" else x + r if anchor == "end" else x
        out.append(f'<g class="node" data-entity-id="{escape(node)}"><circle cx="{x}" cy="{y}" r="{r:.1f}" '
                   f'fill="{colours.get(labels.get(node), "#ccc")}"/><text x="{tx:.1f}" y="{y - r - 3:.1f}" '
                   f'text-anchor="{anchor}">'
                   f'{escape(name)}</text><title>{escape(name)} ({escape(str(labels.get(node)))}): '
                   f'{int(weight[node])} statements</title></g>')
    out.append("</svg>")
    return "\n".join(out), len(graph), graph.number_of_edges()


def component_layout(graph: nx.Graph, width: int, height: int, pad: int = 50) -> dict:
    """Screen positions: the largest connected component spring-laid in the left three quarters, the smaller
    components each in a cell of a grid on the right (a spring layout of a disconnected graph pushes them to the
    edges and squeezes the rest)."""
    parts = sorted(nx.connected_components(graph), key=lambda c: (-len(c), sorted(c)))
    main_w = width * 0.74 if len(parts) > 1 else width
    boxes = [(0, 0, main_w, height)]
    rest = parts[1:]
    if rest:
        cols = 2
        rows = math.ceil(len(rest) / cols)
        cw, ch = (width - main_w) / cols, height / rows
        boxes += [(main_w + (i % cols) * cw, (i // cols) * ch, cw, ch) for i in range(len(rest))]
    pos = {}
    for part, (x0, y0, w, h) in zip(parts, boxes):
        # a fresh graph in sorted node and edge order: a subgraph view iterates the component's set, whose order
        # changes with Python's string hash seed, and the spring layout depends on the order it is given
        sub = nx.Graph()
        sub.add_nodes_from(sorted(part))
        sub.add_edges_from(sorted(tuple(sorted(e)) for e in graph.subgraph(part).edges()))
        if len(sub) == 1:
            placed = {next(iter(part)): (0.0, 0.0)}
        else:
            placed = nx.spring_layout(sub, seed=13, weight=None, k=3 / math.sqrt(len(sub)), iterations=500)
        xs, ys = [p[0] for p in placed.values()], [p[1] for p in placed.values()]
        inner = pad if part is parts[0] else pad * 0.6
        for node, (x, y) in placed.items():
            fx = (x - min(xs)) / ((max(xs) - min(xs)) or 1) if len(placed) > 1 else 0.5
            fy = (y - min(ys)) / ((max(ys) - min(ys)) or 1) if len(placed) > 1 else 0.5
            pos[node] = (round(x0 + inner + fx * (w - 2 * inner), 1), round(y0 + inner * 0.7 + fy * (h - 1.4 * inner), 1))
    return pos


def procurement_timeline(deals: pd.DataFrame, names: dict, *, width: int = 1100, row: int = 22) -> str:
    """SVG with one row per deal that has a dated stage: a marker per stage date, a line from first to last."""
    columns = {"considering": "first_considered", "negotiating": "first_negotiating", "ordered": "first_ordered",
               "delivered": "first_delivered", "operates": "first_operates", "cancelled": "cancelled"}
    rows = []
    for d in deals.itertuples():
        marks = [(getattr(d, c), s) for s, c in columns.items() if pd.notna(getattr(d, c))]
        if marks:
            rows.append((min(m[0] for m in marks), f"{names.get(d.buyer_id, d.buyer_id)} → "
                         f"{names.get(d.system_id, d.system_id)}", sorted(marks), d.procurement_id))
    if not rows:
        return '<p class="empty">No dated procurement statements.</p>'
    rows.sort(key=lambda r: (r[0], r[1]))
    first = min(r[0] for r in rows).year
    last = max(m[0] for r in rows for m in r[2]).year + 1
    left, right, top = 300, 30, 34
    height = top + row * len(rows) + 10

    def x(d: date) -> float:
        span = (date(last, 1, 1) - date(first, 1, 1)).days
        return round(left + (d - date(first, 1, 1)).days / span * (width - left - right), 1)

    out = [f'<svg class="timeline" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">']
    for year in range(first, last + 1):
        xx = x(date(year, 1, 1))
        out.append(f'<line class="tick" x1="{xx}" y1="{top - 8}" x2="{xx}" y2="{height - 6}"/>'
                   f'<text class="year" x="{xx + 3}" y="{top - 14}">{year}</text>')
    for i, (_, label, marks, pid) in enumerate(rows):
        y = top + i * row + row / 2
        out.append(f'<g class="deal" data-procurement-id="{pid}"><text class="deal-label" x="{left - 10}" '
                   f'y="{y + 4}" text-anchor="end">{escape(label)}</text>')
        if len(marks) > 1:
            out.append(f'<line class="span" x1="{x(marks[0][0])}" y1="{y}" x2="{x(marks[-1][0])}" y2="{y}"/>')
        for when, stage in marks:
            shape = (f'<path d="M{x(when) - 5},{y - 5}l10,10m0,-10l-10,10" stroke="{STAGE_COLOURS[stage]}" '
                     f'stroke-width="3"/>' if stage == "cancelled" else
                     f'<circle cx="{x(when)}" cy="{y}" r="6" fill="{STAGE_COLOURS[stage]}"/>')
            out.append(f'<g class="mark">{shape}<title>{escape(label)}: {stage} {when}</title></g>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def stage_legend() -> list[tuple[str, str]]:
    return [(s, STAGE_COLOURS[s]) for s in (*PROCUREMENT_STAGES, "cancelled")]
