# StudyShare — run `make help` for the list of targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help setup system-deps demo test lint format run migrate lock clean

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

system-deps: ## Install the Debian packages (Orthanc and its plugins) if missing
	@./scripts/install-system-deps.sh

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

setup: system-deps $(STAMP) ## Install everything the demo and the tests need

demo: setup ## Start Orthanc with demo studies and the app on http://127.0.0.1:5000
	$(BIN)/python scripts/demo.py

test: setup ## Check the code with ruff, then run the whole test suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: $(STAMP) ## Check the code with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## Format the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

run: $(STAMP) ## Run the app against the Orthanc in the environment (development mode)
	STUDYSHARE_ENV=$${STUDYSHARE_ENV:-development} $(BIN)/flask --app wsgi db upgrade
	STUDYSHARE_ENV=$${STUDYSHARE_ENV:-development} $(BIN)/flask --app wsgi run --host 127.0.0.1 --port 5000

migrate: $(STAMP) ## Apply database migrations
	$(BIN)/flask --app wsgi db upgrade

lock: $(STAMP) ## Re-pin every installed package into constraints.txt
	@{ echo "# Pinned versions of every installed package (transitive included); regenerate with 'make lock'."; \
	  $(BIN)/pip freeze --exclude-editable; } > constraints.txt

clean: ## Remove the virtualenv and caches (keeps instance/)
	rm -rf $(VENV) .pytest_cache .ruff_cache test-output
