# Catalyst: `make run` serves the terminal, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
PYTEST_ARGS ?=

.PHONY: default run test lint fix init sample-remove bench browser clean

default: test lint

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

init: $(VENV)/.installed
	$(PY) -m terminal init --sample-if-empty

run: init
	$(PY) -m streamlit run app.py --server.port $(PORT) --server.headless true \
		--browser.gatherUsageStats false

# pytest exits 5 when it collected nothing: that is a broken suite, reported as such.
test: $(VENV)/.installed browser
	@$(PY) -m pytest -n 2 $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$rc

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

fix: $(VENV)/.installed
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench: init
	$(PY) -m terminal bench

# Debian's Chromium for the browser tests (no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		(apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium) \
		|| { echo "could not install Debian's chromium (browser tests need it)"; exit 1; }; }

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
