# Two commands on a fresh machine (each installs what it needs into .venv):
#   make demo   build the releases, grade the bundled sample submissions, print the grade table
#   make test   run the whole test suite (the same command CI runs)
# Others:
#   make test-fast   skip the slow integration tests while iterating
#   make bench       the throughput benchmark (bench/README.md)
#   make bench-load  200 against 5,000 submissions, memory, cache, kill and resume (~30 min; not in CI)

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
RUNTIME_STAMP := $(VENV)/.installed-runtime

.PHONY: demo test test-fast bench bench-load install clean

install: $(STAMP)

# make test: the runtime and the test extra (pytest, hypothesis, torch, playwright, ...)
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP) $(RUNTIME_STAMP)

# make demo: the runtime dependencies only
$(RUNTIME_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $(RUNTIME_STAMP)

demo: $(RUNTIME_STAMP)
	$(PY) -m autograder.demo

# Two pytest workers (pytest-xdist), one test module each at a time: the
# integration tests mostly wait on subprocesses (sandboxes, kernels, otter,
# nbgrader, chromium). TEST_WORKERS=0 runs everything in one process.
TEST_WORKERS ?= 2
PYTEST_PARALLEL := $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile)

test: $(STAMP)
	$(PY) -m pytest -q $(PYTEST_PARALLEL)

test-fast: $(STAMP)
	$(PY) -m pytest -q $(PYTEST_PARALLEL) -m 'not slow'

bench: $(STAMP)
	$(PY) bench/bench.py
	$(PY) bench/platform_bench.py

bench-load: $(STAMP)
	$(PY) bench/load.py

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis
