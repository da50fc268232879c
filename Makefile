# Two commands on a fresh machine with Python 3.11 and make:
#   make report   -> builds reports/index.html from the bundled data
#   make test     -> runs the whole test suite
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: report test test-fast bench bench-quick calibration clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or: make PYTHON=python3 ...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $(STAMP)

report: $(STAMP)
	$(BIN)/mzforecast run --out reports

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

bench-quick: $(STAMP)
	$(BIN)/python bench/accuracy.py --quick

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python bench/accuracy.py
	$(BIN)/python bench/variants.py
	$(BIN)/python bench/speed.py

calibration: $(STAMP)
	$(BIN)/python scripts/build_calibration.py

clean:
	rm -rf $(VENV) .pytest_cache
