# mockloop: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run demo test install db bank lint format bench screenshots clean migration lock vendor

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "mockloop needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs come from the hashed lock files (pip refuses anything whose hash differs),
# then the app itself, editable, without resolving anything again.
$(STAMP): pyproject.toml requirements.lock requirements-test.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-test.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

## Development server on http://127.0.0.1:5000 with SQLite in instance/ (`make run PORT=5001`).
run: install
	MOCKLOOP_ENV=development $(BIN)/flask db upgrade
	MOCKLOOP_ENV=development $(BIN)/flask bank import --if-empty
	MOCKLOOP_ENV=development $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

## Demo accounts (candidate, coach, admin; passwords printed) with a scored, reviewed round
## in the `make run` database. Development only: `flask demo seed` refuses in production.
demo: install
	MOCKLOOP_ENV=development $(BIN)/flask db upgrade
	MOCKLOOP_ENV=development $(BIN)/flask bank import --if-empty
	MOCKLOOP_ENV=development $(BIN)/flask demo seed

## The whole suite (browser tests skip with a reason where no Chromium is installed), in
## PYTEST_WORKERS pytest-xdist workers side by side (`make test PYTEST_WORKERS=0`: one
## process, as a debugger or `-x` wants).
PYTEST_WORKERS ?= 2
test: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist load $(PYTEST_ARGS)

db: install
	MOCKLOOP_ENV=development $(BIN)/flask db upgrade

bank: install
	MOCKLOOP_ENV=development $(BIN)/flask bank import

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python -m bench

screenshots: install
	MOCKLOOP_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest tests/browser -k screenshots -p no:cacheprovider

## Rebuild the vendored CodeMirror bundle and Pyodide from npm (needs node + npm; the
## output is committed, so `make run` never needs them). See static/vendor/README.md.
vendor:
	sh static/vendor/src/build.sh

## Refresh the lock files from pyproject.toml (after changing a dependency), with hashes.
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
	  -o requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links --extra test \
	  -o requirements-test.lock pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

## Add a schema revision after changing models: `make migration MSG="add email verification"`.
## 0001 is the frozen baseline and is never regenerated: this builds a scratch SQLite
## database at the current head, autogenerates the difference as the next numbered
## revision (0002_..., 0003_...) and leaves it for you to review by hand (migrations/README).
migration: install
	@test -n "$(MSG)" || { echo 'usage: make migration MSG="what changed"'; exit 2; }
	rm -rf $(VENV)/migration-tmp && mkdir -p $(VENV)/migration-tmp
	set -e; last=$$(ls migrations/versions | sed -n 's/^\([0-9]\{4\}\)_.*\.py$$/\1/p' | sort | tail -1); \
	  rev=$$(printf '%04d' $$(expr $$last + 1)); \
	  export DATABASE_URL=sqlite:///$(abspath $(VENV))/migration-tmp/head.db MOCKLOOP_ENV=development; \
	  $(BIN)/flask db upgrade; \
	  $(BIN)/flask db migrate --rev-id $$rev -m "$(MSG)"
	rm -rf $(VENV)/migration-tmp
