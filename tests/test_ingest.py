"""Every input file is accounted for: statuses and reasons for the files an analyst's folder really holds."""
import os

from pipeline.ingest import read_seeds
from pipeline.stages import document_rows, summary

from conftest import ROOT

RULES = ROOT / "models" / "cleaning" / "debris.yaml"


def make_folder(tmp_path):
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
    assert status["report.pdf"] == "rejected" and ".pdf" in rows["report.pdf"].error
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
