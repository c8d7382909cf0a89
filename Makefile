# The two commands of the README's quick start:
#   make run   — install what is needed and start the gateway on embedded defaults
#   make test  — install what is needed and run the whole test suite
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test lint install install-dev system-packages bench-packages bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

system-packages:
	sh scripts/install-system-packages.sh

# wrk, which the load benchmarks drive (bench/intake_bench.py); not needed by the tests.
bench-packages:
	SYSTEM_PACKAGES=wrk sh scripts/install-system-packages.sh

run: install
	$(PY) run.py

lint: install-dev
	$(VENV)/bin/ruff check .

test: install-dev system-packages lint
	$(PY) -m pytest -q

clean:
	rm -rf $(VENV) data
