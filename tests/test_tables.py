"""The schema module is the one source of truth: data dictionary in sync, writers reject unknown columns."""
import pyarrow.parquet as pq
import pytest

from conftest import ROOT
from pipeline.schemas import DOCUMENTS, TABLES, data_dictionary, write_table


def test_data_dictionary_is_in_sync_with_schemas():
    assert (ROOT / "docs" / "tables.md").read_text(encoding="utf-8") == data_dictionary()


def test_written_tables_carry_the_schema(seed_run):
    for name, table in TABLES.items():
        assert pq.read_schema(seed_run / f"{name}.parquet").remove_metadata() == table.schema.remove_metadata()


def test_writer_rejects_unknown_columns(tmp_path):
    with pytest.raises(ValueError, match="unknown columns"):
        write_table(DOCUMENTS, [{"doc_id": "x", "bogus": 1}], tmp_path / "d.parquet")
    assert not (tmp_path / "d.parquet").exists()
