# Two entry points: `make demo` and `make test`. Each creates .venv on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint clean golden

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/flopbook case deepseek-semianalysis
	@echo; echo "The same table as a spreadsheet, audited (exit 1: it has findings):"
	$(BIN)/flopbook audit examples/deepseek-semianalysis.xlsx || test $$? -eq 1
	mkdir -p reports
	$(BIN)/flopbook report --case deepseek-semianalysis --force \
	  --xlsx reports/deepseek-semianalysis.xlsx --html reports/deepseek-semianalysis.html

test: $(STAMP)
	sh scripts/install-system-deps.sh
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# Rewrite tests/golden/*.json after a figure moved on purpose (say so in CHANGELOG.md).
golden: $(STAMP)
	$(BIN)/python tests/golden/regenerate.py

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
