"""Every input file is accounted for: statuses and reasons for the files an analyst's folder really holds."""
import os

from pipeline.ingest import read_seeds
from pipeline.stages import document_rows, summary

from conftest import ROOT

RULES = ROOT / "models" / "cleaning" / "debris.yaml"


def make_folder(tmp_path):
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "sub").mkdir()
    article = "Poland will buy 24 Bayraktar TB2 drones from Turkey.\n".encode()
    (tmp_path / "a.txt").write_bytes(article)
    (tmp_path / "sub" / "copy.txt").write_bytes(article)
    (tmp_path / "empty.txt").write_bytes(b"  \n\t\n")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4 fake")
    (tmp_path / "latin1.txt").write_bytes("Türkiye’s defence minister met his Polish counterpart.".encode("cp1252"))
    (tmp_path / "bom.txt").write_bytes("\ufeffJapan considers the ANKA drone.".encode("utf-8"))
    (tmp_path / "utf16.txt").write_bytes("Kuwait ordered TB2 drones.".encode("utf-16"))
    (tmp_path / "big.txt").write_bytes(b"x" * 2000)
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x01")
    (tmp_path / "~$draft.txt").write_bytes(b"lock")
    os.symlink("/etc/hostname", tmp_path / "escape.txt")
    return tmp_path


def test_every_file_gets_one_row_with_a_status(tmp_path):
    rows = {r.source_path: r for r in read_seeds(make_folder(tmp_path), max_bytes=1000)}
    assert set(rows) == {"a.txt", "sub/copy.txt", "empty.txt", "binary.txt", "report.pdf", "latin1.txt",
                         "bom.txt", "utf16.txt", "big.txt", "escape.txt"}
    status = {k: v.status for k, v in rows.items()}
    assert status["a.txt"] == "ok" and status["sub/copy.txt"] == "duplicate"
    assert "a.txt" in rows["sub/copy.txt"].error
    assert status["empty.txt"] == "empty"
    assert status["binary.txt"] == "rejected" and "NUL" in rows["binary.txt"].error
    assert status["report.pdf"] == "rejected" and "broken PDF" in rows["report.pdf"].error
    assert status["big.txt"] == "rejected" and "2000 bytes" in rows["big.txt"].error
    assert status["escape.txt"] == "rejected" and "outside" in rows["escape.txt"].error
    assert rows["latin1.txt"].text.startswith("Türkiye’s")
    assert rows["bom.txt"].text.startswith("Japan") and rows["utf16.txt"].text.startswith("Kuwait")
    assert len({r.doc_id for r in rows.values()}) == len(rows)


def test_summary_line_names_the_bad_files(tmp_path):
    rows = document_rows(make_folder(tmp_path), rules_path=RULES, max_bytes=1000)
    line = summary(rows)
    assert line.startswith("4 ok, 1 duplicate, 1 empty, 4 rejected: ")
    assert "binary.txt (binary file" in line and "report.pdf" in line


def test_a_mixed_folder_runs_to_the_end_with_one_row_per_file(tmp_path):
    import shutil
    import subprocess
    import sys

    import pandas as pd

    from conftest import DEV_ARTICLES

    seeds = make_folder(tmp_path / "seeds")
    for f in sorted(DEV_ARTICLES.glob("*.txt"))[:6]:
        shutil.copy(f, seeds / f.name)
    (seeds / "notes.md").write_text("# Briefing\n\nJapan is considering procuring the ANKA drone.\n")
    (seeds / "crlf.txt").write_bytes("Title\r\n\r\nTurkey sold drones to Ukraine.\r\n".encode())
    (seeds / "page.html").write_text("<html><body><p>Kuwait ordered TB2 drones.</p></body></html>")
    (seeds / "LICENSE").write_text("Copyright the authors.\n")
    shutil.copy(sorted(DEV_ARTICLES.glob("*.txt"))[1], seeds / "sub" / "again.txt")
    expected = {p.relative_to(seeds).as_posix() for p in seeds.rglob("*") if p.is_file() or p.is_symlink()}
    expected -= {".DS_Store", "~$draft.txt"}
    res = subprocess.run([sys.executable, "-m", "pipeline", "run", "--seeds", str(seeds), "--out",
                          str(tmp_path / "out")], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert len(expected) >= 20 and set(docs.source_path) == expected and docs.doc_id.is_unique
    # big.txt is only big for the 1000-byte limit above; utf16.txt has the text of page.html: a duplicate
    assert (docs.status == "ok").sum() == 13
    assert docs.set_index("source_path").loc["page.html", "text"] == "Kuwait ordered TB2 drones."
    assert docs.set_index("source_path").loc["utf16.txt", "duplicate_of"] == docs.set_index("source_path").loc[
        "page.html", "doc_id"]
    assert res.stdout.strip().startswith("13 ok, 3 duplicate, 1 empty, 4 rejected: ")
    assert "binary.txt" in res.stderr  # every bad file is named as it is met


def test_json_exports_give_one_row_per_record(tmp_path):
    lines = [
        '{"title": "Kuwait orders TB2", "date": "2023-01-18T10:00:00Z", "source": {"name": "Reuters"}, '
        '"url": "https://example.org/1", "text": "Kuwait has signed a contract to buy Bayraktar TB2 drones."}',
        "not json",
        '{"title": "No body"}',
        "[1, 2]",
        "",
        '{"body": "Poland will buy 24 Bayraktar TB2 drones from Turkey."}',
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines) + "\n")
    (tmp_path / "api.json").write_text('{"articles": [{"headline": "A", "content": "Japan eyes the ANKA."}, '
                                       '{"content": ""}]}')
    (tmp_path / "broken.json").write_text("{broken")
    rows = {r["source_path"]: r for r in document_rows(tmp_path, rules_path=RULES, max_bytes=10_000)}
    assert {k: v["status"] for k, v in rows.items()} == {
        "api.json:1": "ok", "api.json:2": "empty", "broken.json": "rejected", "feed.jsonl:1": "ok",
        "feed.jsonl:2": "rejected", "feed.jsonl:3": "empty", "feed.jsonl:4": "rejected", "feed.jsonl:6": "ok"}
    first = rows["feed.jsonl:1"]
    assert (first["title"], str(first["published"]), first["source"], first["url"]) == (
        "Kuwait orders TB2", "2023-01-18", "Reuters", "https://example.org/1")
    assert first["text"] == "Kuwait has signed a contract to buy Bayraktar TB2 drones."
    assert "line 2 is not JSON" in rows["feed.jsonl:2"]["error"]
    assert rows["api.json:1"]["text"] == "Japan eyes the ANKA." and rows["api.json:1"]["title"] == "A"
    assert len({r["doc_id"] for r in rows.values()}) == len(rows)


PAGE = """<html><head><title>Kuwait orders TB2 | Defence Desk</title>
<meta property="og:site_name" content="Defence Desk"><meta name="date" content="2023-01-18"></head>
<body><nav>Home | World | Trump visits Norway</nav><article><h1>Kuwait orders TB2</h1>
<p>Kuwait has signed a contract worth about $370m to buy Bayraktar TB2 armed drones from Turkish defence company
Baykar, the manufacturer has said.</p><p>The agreement covers the drones, ground control stations and training.</p>
</article><aside>Related: Myanmar junta strikes</aside><footer>Copyright 2023</footer>
<script>fetch("http://example.com/track")</script></body></html>"""


def test_html_pages_give_main_text_and_metadata(tmp_path):
    (tmp_path / "kuwait.html").write_text(PAGE)
    deep = "<html><body>" + "<div>" * 3000 + "Poland ordered K2 tanks from South Korea." + "</body></html>"
    (tmp_path / "deep.htm").write_text(deep)
    (tmp_path / "menu.html").write_text("<html><body><nav>menu</nav><script>x()</script></body></html>")
    rows = {r["source_path"]: r for r in document_rows(tmp_path, rules_path=RULES, max_bytes=1_000_000)}
    page = rows["kuwait.html"]
    assert page["status"] == "ok" and page["title"] == "Kuwait orders TB2" and page["source"] == "Defence Desk"
    assert str(page["published"]) == "2023-01-18"
    assert page["text"].startswith("Kuwait has signed a contract worth about $370m")
    for debris in ("Trump", "Myanmar", "Copyright", "fetch", "Home |"):
        assert debris not in page["text"]
    assert rows["deep.htm"]["status"] == "ok" and "Poland ordered K2 tanks" in rows["deep.htm"]["text"]
    assert rows["menu.html"]["status"] == "empty"


def test_markdown_front_matter_is_metadata(tmp_path):
    (tmp_path / "brief.md").write_text("---\ntitle: Japan eyes Turkish drones\ndate: 2026-01-07\nsource: AA\n---\n\n"
                                       "Japan is considering procuring the ANKA drone.\n")
    (tmp_path / "broken.md").write_text("---\ntitle: [unclosed\n---\nPoland bought tanks.\n")
    rows = {r["source_path"]: r for r in document_rows(tmp_path, rules_path=RULES, max_bytes=10_000)}
    brief = rows["brief.md"]
    assert (brief["title"], str(brief["published"]), brief["source"]) == ("Japan eyes Turkish drones", "2026-01-07",
                                                                          "AA")
    assert brief["text"] == "Japan is considering procuring the ANKA drone."
    assert rows["broken.md"]["status"] == "ok" and "Poland bought tanks." in rows["broken.md"]["text"]


def test_a_file_that_is_one_headline_keeps_it_as_text(tmp_path, capsys):
    from pipeline.stages import document_rows

    (tmp_path / "headline.txt").write_text("Japan eyes Turkish ANKA drone for its coastguard\n", encoding="utf-8")
    (tmp_path / "odd\nname.txt").write_bytes(b"")
    rows = {r["source_path"]: r for r in document_rows(tmp_path, rules_path="models/cleaning/debris.yaml",
                                                       max_bytes=5_000_000)}
    assert rows["headline.txt"]["status"] == "ok"
    assert rows["headline.txt"]["text"] == "Japan eyes Turkish ANKA drone for its coastguard"
    assert rows["odd\nname.txt"]["status"] == "empty"
    err = capsys.readouterr().err
    assert "odd\\nname.txt'" in err and all(line.count(": ") >= 1 for line in err.splitlines() if line)
