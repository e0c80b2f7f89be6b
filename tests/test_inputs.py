"""Every input accounted for, part two: large exports, the same article twice, other languages, PDF and Word files,
and a folder that changes while the run reads it. Real files: dev-set articles, articles under tests/inputs/, and
PDF/DOCX files written here by fpdf2 and python-docx."""
import datetime as dt
import json
import re
import tracemalloc

import pytest

from pipeline import stages
from pipeline.ingest import read_seeds
from pipeline.stages import InputPolicy, document_rows

from conftest import DEV_ARTICLES, ROOT

RULES = ROOT / "models" / "cleaning" / "debris.yaml"
INPUTS = ROOT / "tests" / "inputs"
WIRE = (DEV_ARTICLES / "poland-tb2-2021.txt").read_text(encoding="utf-8")
OTHER = (DEV_ARTICLES / "kuwait-tb2-2023.txt").read_text(encoding="utf-8")


def rows_of(folder, **kw):
    return {r["source_path"]: r for r in document_rows(folder, rules_path=RULES, max_bytes=kw.pop("max_bytes", 1_000_000),
                                                         **kw)}


def test_an_export_is_streamed_and_the_size_limit_is_one_records_text(tmp_path):
    record = {"title": "Kuwait orders TB2", "text": OTHER}
    line = json.dumps(record) + "\n"
    with open(tmp_path / "feed.jsonl", "w", encoding="utf-8") as fh:
        for i in range(3000):  # ~10 MB, twice the 5 MB file limit the old reader applied to the whole file
            fh.write(json.dumps({**record, "url": f"https://example.org/{i}"}) + "\n")
        fh.write(json.dumps({"text": "x " * 4_000}) + "\n")  # a record whose text is over the limit
        fh.write(json.dumps({"text": "x " * 40_000}) + "\n")  # a line too long to be read at all
    with open(tmp_path / "api.json", "w", encoding="utf-8") as fh:
        fh.write('{"status": "ok", "articles": [')
        fh.write(",".join(json.dumps({"content": f"Record {i}. " + WIRE}) for i in range(500)))
        fh.write("]}")
    tracemalloc.start()
    seen = {}
    for raw in read_seeds(tmp_path, max_bytes=len(line.encode()) * 2):
        seen[raw.source_path] = (raw.status, raw.error, (raw.text or "")[:12])  # (not the texts: the test's own)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    size = (tmp_path / "feed.jsonl").stat().st_size + (tmp_path / "api.json").stat().st_size
    assert peak < size / 4  # never a whole file in memory (12 MB here), only a record at a time (+ `seen`)
    assert len(seen) == 3002 + 500
    assert all(seen[f"feed.jsonl:{i}"][0] == "ok" for i in range(1, 3001))
    status, error, _ = seen["feed.jsonl:3001"]
    assert status == "rejected" and "record text too large (8000 bytes >" in error
    assert seen["feed.jsonl:3002"][:2] == ("rejected", f"record too large (80013 characters > {8 * len(line)})")
    assert seen["api.json:500"] == ("ok", None, "Record 499. ")


def test_a_broken_json_export_keeps_the_records_before_the_break(tmp_path):
    (tmp_path / "cut.json").write_text('[{"text": "Kuwait ordered TB2 drones."}, {"text": "Japan eyes ')
    rows = {r.source_path: r for r in read_seeds(tmp_path, max_bytes=10_000)}
    assert rows["cut.json:1"].status == "ok"
    assert rows["cut.json:2"].status == "rejected" and "not JSON from record 2 on" in rows["cut.json:2"].error


def test_the_same_article_in_three_encodings_is_one_document(tmp_path):
    (tmp_path / "a_utf8.txt").write_text(WIRE, encoding="utf-8")
    (tmp_path / "b_cp1252.txt").write_bytes(WIRE.encode("cp1252"))
    (tmp_path / "c_crlf.txt").write_bytes(WIRE.replace("\n", "\r\n").encode("utf-8"))
    (tmp_path / "d_other.txt").write_text(OTHER, encoding="utf-8")
    rows = rows_of(tmp_path)
    first = rows["a_utf8.txt"]
    assert first["status"] == "ok" and first["duplicate_of"] is None and rows["d_other.txt"]["status"] == "ok"
    for name in ("b_cp1252.txt", "c_crlf.txt"):
        assert rows[name]["status"] == "duplicate" and rows[name]["duplicate_of"] == first["doc_id"]
        assert rows[name]["error"].startswith("duplicate of a_utf8.txt")
    assert rows["b_cp1252.txt"]["encoding"] == "cp1252"


def test_a_wire_story_republished_by_another_outlet_is_a_near_duplicate(tmp_path):
    paragraphs = WIRE.split("\n\n")
    body = "\n\n".join(paragraphs[1:])
    sentence = [s for s in re.split(r"(?<=[.!?])\s+", body) if len(s.split()) > 12][2]
    (tmp_path / "outlet_a.txt").write_text(WIRE, encoding="utf-8")
    republished = ("Warsaw to field Turkish drones, ministry confirms\n\n5 min read\n\nAdvertisement\n\n"
                   + body.replace(sentence, "The ministry gave no further details of the delivery schedule.") +
                   "\n\nRead more: Poland signs for Abrams tanks\n")
    (tmp_path / "outlet_b.txt").write_bytes(republished.replace("\n", "\r\n").encode("cp1252"))
    (tmp_path / "unrelated.txt").write_text(OTHER, encoding="utf-8")
    rows = rows_of(tmp_path)
    kept, near = rows["outlet_a.txt"], rows["outlet_b.txt"]
    assert kept["status"] == "ok" and rows["unrelated.txt"]["status"] == "ok"
    assert near["status"] == "duplicate" and near["duplicate_of"] == kept["doc_id"]
    assert near["error"].startswith(f"near-duplicate of {kept['doc_id']} outlet_a.txt (similarity 0.8")
    # the threshold is a parameter: at 0.99 the two outlets' versions are different documents
    strict = rows_of(tmp_path, policy=InputPolicy(near_duplicate_threshold=0.99))
    assert strict["outlet_b.txt"]["status"] == "ok"


def test_a_new_article_is_compared_with_the_stored_signatures(tmp_path, monkeypatch):
    seeds, cache = tmp_path / "seeds", tmp_path / "clean_cache.parquet"
    seeds.mkdir()
    for f in sorted(DEV_ARTICLES.glob("*.txt"))[:5] + [DEV_ARTICLES / "poland-tb2-2021.txt"]:
        (seeds / f.name).write_bytes(f.read_bytes())
    document_rows(seeds, rules_path=RULES, max_bytes=1_000_000, cache_path=cache)
    hashed = []
    real = stages.signature
    monkeypatch.setattr(stages, "signature", lambda text, k: hashed.append(text) or real(text, k))
    (seeds / "zz_copy.txt").write_text(WIRE.replace("\n", "\r\n"), encoding="utf-8")
    (seeds / "zz_new.txt").write_text(WIRE.replace("Poland", "Polish officials said Poland", 1), encoding="utf-8")
    rows = {r["source_path"]: r for r in document_rows(seeds, rules_path=RULES, max_bytes=1_000_000,
                                                         cache_path=cache)}
    assert len(hashed) == 2  # the two new inputs only: the six stored articles' signatures come from the cache
    assert rows["zz_copy.txt"]["status"] == rows["zz_new.txt"]["status"] == "duplicate"
    assert rows["zz_new.txt"]["duplicate_of"] == rows["poland-tb2-2021.txt"]["doc_id"]
    assert sum(r["status"] == "ok" for r in rows.values()) == 6


def test_french_and_german_articles_are_rejected_and_a_mixed_one_stays(tmp_path):
    for f in ("fr_rafale_serbie.txt", "de_eurofighter.txt", "mixed_en_quotes_fr.txt"):
        (tmp_path / f).write_bytes((INPUTS / f).read_bytes())
    french = (INPUTS / "fr_rafale_serbie.txt").read_text(encoding="utf-8").split("\n\n")
    # an English article with a long French statement, a third of its text: mostly English
    (tmp_path / "quoted.txt").write_text(WIRE + "\n\n" + "\n\n".join(french[1:3]), encoding="utf-8")
    (tmp_path / "short.txt").write_text("Rafale : la Serbie signe.", encoding="utf-8")
    rows = rows_of(tmp_path)
    assert rows["fr_rafale_serbie.txt"]["status"] == "rejected"
    assert rows["fr_rafale_serbie.txt"]["error"] == "language fr: not English"
    assert rows["de_eurofighter.txt"]["error"] == "language de: not English"
    assert rows["de_eurofighter.txt"]["language"] == "de"
    for name in ("mixed_en_quotes_fr.txt", "quoted.txt", "short.txt"):
        assert rows[name]["status"] == "ok", rows[name]["error"]
    assert rows["mixed_en_quotes_fr.txt"]["language"] == rows["quoted.txt"]["language"] == "en"
    accepting = rows_of(tmp_path, policy=InputPolicy(languages=("en", "fr")))
    assert accepting["fr_rafale_serbie.txt"]["status"] == "ok"
    assert accepting["de_eurofighter.txt"]["error"] == "language de: not English or French"


def _pdf(path, paragraphs, *, title=None, created=None):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    if title:
        pdf.set_title(title)
    if created:
        pdf.set_creation_date(created)
    for p in paragraphs:
        pdf.multi_cell(0, 6, p)
        pdf.ln(4)
    pdf.output(str(path))


def test_a_pdf_and_a_word_file_give_their_text_in_reading_order_and_metadata(tmp_path):
    import docx

    body = [p for p in OTHER.split("\n\n")[1:] if p.isascii() and len(p.split()) > 8][:4]  # (core fonts: Latin-1)
    created = dt.datetime(2023, 1, 18, 9, 30, tzinfo=dt.timezone.utc)
    _pdf(tmp_path / "brief.pdf", body, title="Kuwait orders TB2 drones", created=created)
    document = docx.Document()
    document.core_properties.title = "Kuwait orders TB2 drones"
    document.core_properties.created = created.replace(tzinfo=None)
    document.add_heading("Kuwait orders TB2 drones", level=1)
    for p in body:
        document.add_paragraph(p)
    document.save(tmp_path / "brief.docx")
    rows = rows_of(tmp_path)
    pdf, word = rows["brief.pdf"], rows["brief.docx"]
    assert pdf["status"] == "duplicate" and pdf["duplicate_of"] == word["doc_id"]  # the same text, cleaned
    assert word["status"] == "ok" and word["language"] == "en" and word["text"] == "\n\n".join(body)
    assert (word["title"], str(word["published"])) == ("Kuwait orders TB2 drones", "2023-01-18")
    assert pdf["text"] == "\n\n".join(body)  # printed lines joined back into the paragraphs, in order
    assert (pdf["title"], str(pdf["published"])) == ("Kuwait orders TB2 drones", "2023-01-18")
    (tmp_path / "brief.docx").unlink()  # the PDF on its own
    pdf = rows_of(tmp_path)["brief.pdf"]
    assert pdf["status"] == "ok" and pdf["text"] == "\n\n".join(body)
    assert (pdf["title"], str(pdf["published"])) == ("Kuwait orders TB2 drones", "2023-01-18")


def test_broken_encrypted_and_image_only_pdfs_are_rejected_with_the_reason(tmp_path):
    from fpdf import FPDF
    from PIL import Image
    from pypdf import PdfReader, PdfWriter

    _pdf(tmp_path / "good.pdf", [WIRE.split("\n\n")[1]])
    raw = (tmp_path / "good.pdf").read_bytes()
    (tmp_path / "truncated.pdf").write_bytes(raw[: len(raw) // 3])
    writer = PdfWriter(clone_from=PdfReader(tmp_path / "good.pdf"))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-256")
    writer.write(tmp_path / "locked.pdf")
    Image.new("RGB", (200, 100), "white").save(tmp_path / "scan.png")
    scan = FPDF()
    scan.add_page()
    scan.image(str(tmp_path / "scan.png"), x=10, y=10, w=180)
    scan.output(str(tmp_path / "scan.pdf"))
    (tmp_path / "scan.png").unlink()
    (tmp_path / "not-a.docx").write_bytes(b"PK\x03\x04 not really a zip")
    rows = rows_of(tmp_path)
    assert rows["good.pdf"]["status"] == "ok"
    assert rows["truncated.pdf"]["status"] == "rejected" and rows["truncated.pdf"]["error"].startswith("broken PDF")
    assert rows["locked.pdf"]["error"] == "encrypted PDF (a password is needed to read it)"
    assert rows["scan.pdf"]["status"] == "rejected" and "no text layer" in rows["scan.pdf"]["error"]
    assert rows["not-a.docx"]["status"] == "rejected" and "broken Word file" in rows["not-a.docx"]["error"]


def test_a_file_that_vanishes_or_changes_during_the_run_gets_a_row(tmp_path):
    for name in ("a.txt", "b.txt", "c.txt", "d.jsonl"):
        (tmp_path / name).write_text("Kuwait ordered TB2 drones.\n" if name != "d.jsonl" else
                                     '{"text": "Japan eyes the ANKA."}\n', encoding="utf-8")
    (tmp_path / "c.txt").write_text("Poland bought TB2 drones from Turkey.\n", encoding="utf-8")
    reader = read_seeds(tmp_path, max_bytes=10_000)
    rows = {next(reader).source_path: None}  # the folder is listed, a.txt read
    (tmp_path / "b.txt").unlink()
    with open(tmp_path / "c.txt", "r+b") as fh:
        fh.truncate(10)
    rows = {r.source_path: r for r in reader}
    assert rows["b.txt"].status == "rejected" and rows["b.txt"].error.startswith("vanished during the run")
    assert rows["c.txt"].status == "rejected" and rows["c.txt"].error.startswith("changed during the run")
    assert rows["d.jsonl:1"].status == "ok"
    again = {r.source_path: r.status for r in read_seeds(tmp_path, max_bytes=10_000)}  # the next run
    assert again == {"a.txt": "ok", "c.txt": "ok", "d.jsonl:1": "ok"}


@pytest.mark.parametrize("bad", [["EN"], [], "en", ["eng"]])
def test_accepted_languages_must_be_iso_codes(tmp_path, bad):
    from pipeline.settings import ConfigError, load_params

    params = load_params(ROOT / "params.yaml")
    params["clean"]["languages"] = bad
    (tmp_path / "params.yaml").write_text(json.dumps(params))
    with pytest.raises(ConfigError, match="clean.languages"):
        load_params(tmp_path / "params.yaml")
