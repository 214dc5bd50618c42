# The two commands in README.md: `make report` (the main job) and `make test`.
# Both set up a virtual environment from pyproject.toml first; nothing else is needed
# on the machine but Python 3.11+ (and, for the browser test, Debian's chromium,
# which `make browser` installs when run as root).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.swe-audit-installed
KERNEL := swe-audit
# Test processes (pytest-xdist; a test file, or a notebook, stays in one process) and
# notebooks the report executes at once. Both share one compute cache (analysis.data.cache).
TEST_JOBS ?= 2
REPORT_JOBS ?= 2

.PHONY: setup report data test lint browser benchmark bench-build calibration clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (swe-audit)"
	touch $(STAMP)

## Main job: fetch and validate the data, execute every notebook, render the site.
## Notebooks run $(REPORT_JOBS) at a time; loading, IRT fits and bootstraps they share are
## computed once and kept in reports/cache/ (keyed on the input pins and the code: never stale;
## SWEAUDIT_NO_CACHE=1 turns it off).
report: setup
	$(PY) -m analysis fetch
	$(PY) -m analysis validate
	SWEAUDIT_REPORT_JOBS=$(REPORT_JOBS) $(PY) -m analysis report

data: setup
	$(PY) -m analysis fetch
	$(PY) -m analysis validate

## All tests: lint, unit tests, data tests, browser and JupyterLab tests, nbval on notebooks.
## They run with a throw-away HOME (tests/conftest.py also redirects the profile directories),
## so nothing is written outside the project, in $(TEST_JOBS) processes (one file or notebook
## per process at a time; the longest files first, see LONGEST_FIRST in tests/conftest.py)
## sharing one fresh compute cache (tests/conftest.py).
test: setup browser lint
	@home=$$(mktemp -d) && trap 'rm -rf "$$home"' EXIT && \
	  GIT_CONFIG_GLOBAL="$${GIT_CONFIG_GLOBAL:-$$HOME/.gitconfig}" HOME="$$home" \
	  $(PY) -m pytest --nbval-lax notebooks tests --nbval-current-env -p no:cacheprovider \
	  -n $(TEST_JOBS) --dist loadfile

lint: setup
	$(PY) -m ruff check analysis tests benchmarks notebooks
	$(PY) -m ruff format --check analysis tests benchmarks

# Debian's chromium for the reader's-eye test; best effort off CI (the test skips without it).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "warning: could not install chromium; browser tests will skip"; \
	  else echo "note: chromium not installed and not root; browser tests will skip"; fi; }

benchmark: setup
	$(PY) benchmarks/bench_bootstrap.py --profile

## `make report` and the test run before (BASE, a commit) and after, cold and warm cache.
bench-build: setup
	$(PY) benchmarks/bench_build.py

## Coverage / type-I error of every interval and test, by simulation (full size, ~30 s).
calibration: setup
	$(PY) -m analysis calibrate

clean:
	rm -rf reports/site reports/build reports/figures reports/artifacts
