# Two entry points for a fresh machine: `make demo` records the built-in demo, `make test` runs the checks.
PYTHON ?= $(shell command -v python3.12 || command -v python3.13 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench clean

$(BIN)/camd: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev,nwb]"
	@touch $(BIN)/camd

demo: $(BIN)/camd
	$(BIN)/camd demo

lint: $(BIN)/camd
	$(BIN)/ruff check camera_daemon tests benchmarks examples
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q

bench: $(BIN)/camd
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) recordings .pytest_cache .mypy_cache .ruff_cache
