# Two commands on a fresh machine (each installs what it needs into .venv):
#   make demo   grade the bundled sample submissions and print the grade table
#   make test   run the whole test suite (the same command CI runs)
# Others:
#   make test-fast   skip the slow integration tests while iterating
#   make bench       the throughput benchmark (bench/README.md)
#   make bench-load  200 against 5,000 submissions, memory, cache, kill and resume (~30 min; not in CI)

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast bench bench-load install clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m autograder.demo

test: $(STAMP)
	$(PY) -m pytest -q

test-fast: $(STAMP)
	$(PY) -m pytest -q -m 'not slow'

bench: $(STAMP)
	$(PY) bench/bench.py

bench-load: $(STAMP)
	$(PY) bench/load.py

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis
