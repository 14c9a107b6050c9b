# mockloop: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi

.PHONY: run test install db bank lint format bench screenshots clean migration vendor

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "mockloop needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

## Development server on http://127.0.0.1:5000 with SQLite in instance/.
run: install
	MOCKLOOP_ENV=development $(BIN)/flask db upgrade
	MOCKLOOP_ENV=development $(BIN)/flask bank import --if-empty
	MOCKLOOP_ENV=development $(BIN)/flask run --host 127.0.0.1 --port 5000

## The whole suite (browser tests skip with a reason where no Chromium is installed).
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

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

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

## Regenerate the single initial migration from the models (no release yet, so one
## revision "0001" is kept; run after changing models, then review the file).
migration: install
	rm -f migrations/versions/*.py
	rm -rf $(VENV)/migration-tmp && mkdir -p $(VENV)/migration-tmp
	DATABASE_URL=sqlite:///$(CURDIR)/$(VENV)/migration-tmp/empty.db MOCKLOOP_ENV=development \
	  $(BIN)/flask db migrate --rev-id 0001 -m "initial schema"
	rm -rf $(VENV)/migration-tmp
