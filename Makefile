# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: install generate check-generated lint typecheck test test-failover demo bench bench-peers clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,motor,testing,bench]'
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

test-failover: $(STAMP)
	$(BIN)/python -m pytest -m failover tests/test_failover.py $(PYTEST_ARGS)

demo: $(STAMP)
	$(BIN)/python examples/quickstart.py

bench: $(STAMP)
	$(BIN)/python -m benchmarks --png benchmarks/results.png

bench-peers: $(STAMP)
	$(BIN)/python -m benchmarks.peers

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
