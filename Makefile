# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: install generate check-generated lint typecheck test test-failover docs docs-serve demo bench bench-peers clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,motor,testing,bench,docs]'
	touch $(STAMP)

install: $(STAMP)

generate: $(STAMP)
	$(BIN)/python -m codegen

check-generated: $(STAMP)
	$(BIN)/python -m codegen --check

lint: $(STAMP)
	$(BIN)/ruff check odmantic codegen tests benchmarks examples
	$(BIN)/ruff format --check odmantic codegen tests benchmarks examples

typecheck: $(STAMP)
	$(BIN)/mypy odmantic codegen tests examples benchmarks
	$(BIN)/pyright

test: $(STAMP) check-generated lint typecheck
	$(BIN)/python -m pytest $(PYTEST_ARGS)

docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

docs-serve: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve

test-failover: $(STAMP)
	$(BIN)/python -m pytest -m failover tests/test_failover.py $(PYTEST_ARGS)

demo: $(STAMP)
	$(BIN)/python examples/quickstart.py

bench: $(STAMP)
	$(BIN)/python -m benchmarks --png docs/assets/benchmarks.png
	$(BIN)/python -m benchmarks.load | tee benchmarks/load.md
	$(BIN)/python -m benchmarks.evolution | tee benchmarks/evolution.md

bench-peers: $(STAMP)
	$(BIN)/python -m benchmarks.peers

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis site
