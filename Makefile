# StudyShare — run `make help` for the list of targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PO_FILES := $(wildcard app/translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.DEFAULT_GOAL := help
.PHONY: help setup system-deps ohif translations messages demo test bench lint format run migrate lock clean

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

system-deps: ## Install the Debian packages (Orthanc and its plugins) if missing
	@./scripts/install-system-deps.sh

ohif: system-deps ## Install the prebuilt OHIF viewer the browser tests serve (.cache/ohif)
	@./scripts/install-ohif.sh

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

translations: $(MO_FILES) ## Compile the message catalogs whose .po changed

# Compiled files are build products (ignored by git): rebuilt whenever their .po is newer.
%.mo: %.po | $(STAMP)
	$(BIN)/pybabel compile --domain messages --input-file $< --output-file $@

messages: $(STAMP) ## Extract the texts to translate and merge them into the .po catalogs
	$(BIN)/pybabel extract --mapping-file babel.cfg --no-location --sort-output --width 100 \
	  --project StudyShare --version 0.1.0 --output-file app/translations/messages.pot .
	$(BIN)/pybabel update --input-file app/translations/messages.pot --output-dir app/translations \
	  --ignore-obsolete --width 100

setup: system-deps ohif $(STAMP) translations ## Install everything the demo and the tests need
	@./scripts/install-axe.sh

demo: setup ## Start Orthanc with demo studies and the app on http://127.0.0.1:5000
	$(BIN)/python scripts/demo.py

test: setup ## Check the code with ruff and the layers with import-linter, then run the whole test suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pytest

bench: setup ## Run every benchmark (about 10 minutes) and write bench/results.md; not part of `make test`
	@./scripts/install-system-deps.sh wrk
	$(BIN)/python bench/run_all.py

lint: $(STAMP) ## Check the code with ruff and the layers with import-linter
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP) ## Format the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

run: $(STAMP) translations ## Run the app against the Orthanc in the environment (development mode)
	STUDYSHARE_ENV=$${STUDYSHARE_ENV:-development} $(BIN)/flask --app wsgi db upgrade
	STUDYSHARE_ENV=$${STUDYSHARE_ENV:-development} $(BIN)/flask --app wsgi run --host 127.0.0.1 --port 5000

migrate: $(STAMP) ## Apply database migrations
	$(BIN)/flask --app wsgi db upgrade

# Pins with an environment marker (packages only older Pythons install) are kept: freeze
# cannot see them on this Python.
lock: $(STAMP) ## Re-pin every installed package into constraints.txt
	@{ echo "# Pinned versions of every installed package (transitive included); regenerate with 'make lock'."; \
	  $(BIN)/pip freeze --exclude-editable; grep ' ; ' constraints.txt || true; } > constraints.txt.new
	@mv constraints.txt.new constraints.txt

clean: ## Remove the virtualenv, caches and compiled catalogs (keeps instance/)
	rm -rf $(VENV) .pytest_cache .ruff_cache test-output $(MO_FILES)
