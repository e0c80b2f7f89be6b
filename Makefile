# Two commands: `make run` (set up if needed, then `dvc repro`) and `make test` (set up if needed, then pytest).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)

.PHONY: setup run test bench docs clean-venv

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[test]"
	@touch $@

run: setup
	$(BIN)/dvc repro
	@$(BIN)/python -c "import pyarrow.parquet as pq; t = pq.read_table('data/processed/documents.parquet'); print(f'tables in data/processed/ ({t.num_rows} documents), report in reports/index.html')"

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m pipeline.bench

docs: setup
	$(BIN)/python -m pipeline docs

clean-venv:
	rm -rf $(VENV)
