# Two commands on a fresh machine with Python 3.11 and make:
#   make report   -> builds reports/index.html from the bundled data
#   make test     -> runs the whole test suite
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: report test test-fast test-lowest bench bench-quick calibration clean

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

# The fast suite, and one notebook run to an HTML page, on the lowest versions pyproject.toml
# allows for direct dependencies (the floors) in a separate venv: the floors are versions
# actually tested. uv resolves from its default index, PyPI (the local mirrors hold only the newest versions).
LOWEST := .venv-lowest
test-lowest:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or: make PYTHON=python3 ...)"; exit 1; }
	test -x $(LOWEST)/bin/uv || { rm -rf $(LOWEST) && $(PYTHON) -m venv $(LOWEST) && $(LOWEST)/bin/python -m pip install --quiet uv; }
	VIRTUAL_ENV=$(LOWEST) $(LOWEST)/bin/uv pip install --quiet --resolution lowest-direct -e ".[dev]"
	VIRTUAL_ENV=$(LOWEST) $(LOWEST)/bin/uv pip list --quiet | grep -iE "^(pandas|numpy|matplotlib|nbconvert|nbclient|jupyter.client|papermill|ipykernel|xlsxwriter) "
	$(LOWEST)/bin/python -m pytest -q -m "not slow" -p no:cacheprovider
	$(LOWEST)/bin/python -m pytest -q -p no:cacheprovider tests/test_packaging.py::test_another_python3_kernelspec_cannot_hijack_the_run

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
	rm -rf $(VENV) $(LOWEST) .pytest_cache
