# undersigned: `make run` starts the service on embedded defaults, `make test` runs every check.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run demo test lint typecheck unit drills bench schema clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The service refuses to run without a webhook secret; for a local run, make one once and keep it in ./data.
data/webhook-secret:
	@mkdir -p data
	@$(PYTHON) -c "import secrets; print(secrets.token_hex(20))" > $@

run: $(STAMP) data/webhook-secret
	UNDERSIGNED_WEBHOOK_SECRET="$${UNDERSIGNED_WEBHOOK_SECRET:-$$(cat data/webhook-secret)}" $(BIN)/undersigned serve

demo: $(STAMP) data/webhook-secret
	$(BIN)/python -m tests.github_sim --demo --port 8765 --state data/demo \
		--webhook-url http://127.0.0.1:8000/webhooks --webhook-secret "$$(cat data/webhook-secret)"

test: $(STAMP) lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy --strict app handlers config

unit: $(STAMP)
	$(BIN)/pytest

# Fault drills (kill -9 mid-burst, dropped and failed deliveries): minutes, so apart from `make test`; CI runs both.
drills: $(STAMP)
	$(BIN)/pytest -m slow

bench: $(STAMP)
	$(BIN)/python -m bench.rules_speed
	$(BIN)/python -m bench.corpus_replay
	$(BIN)/python -m bench.sim_speed
	$(BIN)/python -m bench.landing_burst
	$(BIN)/python -m bench.intake_speed
	$(BIN)/python -m bench.intake_vs_probot
	$(BIN)/python -m bench.reconcile_idle

schema: $(STAMP)
	$(BIN)/python -m config.schema > config/undersigned.schema.json

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
