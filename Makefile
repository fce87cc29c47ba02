# undersigned: `make run` starts the service on embedded defaults, `make test` runs every check.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run demo deps test lint typecheck unit drills bench schema schemas clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The service on embedded defaults (SQLite in ./data). With no GitHub App yet, open /setup to create one.
run: $(STAMP)
	$(BIN)/undersigned serve

# The simulator's world and the service together: three signers, a valid, an invalid and a conflicting PR.
# DEMO_ARGS: --port P (undersigned, 8000; 0: both on free ports), --sim-port P (8765), --state DIR, --exit.
demo: $(STAMP)
	$(BIN)/python -m tests.demo $(DEMO_ARGS)

# Redis, Chromium and npm from Debian's packages (apt-get), or stop with the command that installs them.
deps:
	@bash .ci/deps

test: $(STAMP) deps lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/hadolint Dockerfile deploy/images/*.Containerfile

typecheck: $(STAMP)
	$(BIN)/mypy --strict app handlers config tests bench

unit: $(STAMP) deps schemas
	$(BIN)/pytest

# Fault drills (kill -9 mid-burst, dropped and failed deliveries): minutes, so apart from `make test`; CI runs both.
drills: $(STAMP) deps schemas
	$(BIN)/pytest -m slow

bench: $(STAMP)
	$(BIN)/python -m bench.rules_speed
	$(BIN)/python -m bench.corpus_replay
	$(BIN)/python -m bench.sim_speed
	$(BIN)/python -m bench.landing_burst
	$(BIN)/python -m bench.graphql_reads
	$(BIN)/python -m bench.intake_speed
	$(BIN)/python -m bench.intake_vs_probot
	$(BIN)/python -m bench.reconcile_idle
	$(BIN)/python -m bench.pathological
	$(BIN)/python -m bench.one_node

schema: $(STAMP)
	$(BIN)/python -m config.schema > config/undersigned.schema.json

# GitHub's published REST description and webhook schemas (pinned npm packages) into .cache/schemas.
schemas: $(STAMP) deps
	$(BIN)/python -m tests.contract.fetch_schemas

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
