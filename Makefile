# Two commands on a fresh machine: `make demo` and `make test`. Each builds .venv itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test venv store bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# compileall: byte-code even where PYTHONDONTWRITEBYTECODE is set (an editable install
# would otherwise recompile every module on each run: a one-claim check 0.6-0.9 s instead of 0.2-0.4 s)
store: $(STAMP)
	$(BIN)/python -m compileall -q src/cleanclaim
	$(BIN)/cleanclaim data build

demo: store
	$(BIN)/cleanclaim check examples/ --policies examples/policies --as-of 2026-12-01 || [ $$? -eq 1 ]
	$(BIN)/cleanclaim price examples/medicare-albany.csv

test: store
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python benchmarks/generate.py
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info
