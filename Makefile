# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DEMO := perinatal-social-work
CYPHER_LINT := tests/cypher_lint
HTTP_AUDIT := tests/http_audit
# The Cypher grammar test and the GraphQL over HTTP audit need Node; without npm, `make test`
# goes on and those tests skip (they fail under CI).
LINT_DEPS := $(if $(shell command -v npm),$(CYPHER_LINT)/node_modules/.installed $(HTTP_AUDIT)/node_modules/.installed,lint-deps-missing)

SIZE ?= M
STORE ?= embedded

.PHONY: run test test-slow bench schema install lint-deps lint-deps-missing clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found; install Python 3.11 or run make PYTHON=python3"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

$(CYPHER_LINT)/node_modules/.installed: $(CYPHER_LINT)/package.json $(CYPHER_LINT)/package-lock.json
	npm ci --prefix $(CYPHER_LINT) --no-audit --no-fund --loglevel=error
	touch $@

$(HTTP_AUDIT)/node_modules/.installed: $(HTTP_AUDIT)/package.json $(HTTP_AUDIT)/package-lock.json
	npm ci --prefix $(HTTP_AUDIT) --no-audit --no-fund --loglevel=error
	touch $@

lint-deps: $(LINT_DEPS)  ## Install the npm tools the tests use: Neo4j's Cypher analyser and graphql-http's audit.

lint-deps-missing:
	@echo "npm not found: skipping the npm test tools; the Cypher grammar test and the HTTP audit will skip (install Node.js)."

run: install  ## Serve on http://127.0.0.1:8000 with the demo study loaded (embedded store).
	$(BIN)/thememap seed $(DEMO)
	$(BIN)/thememap user token demo
	$(BIN)/thememap serve

test: install lint-deps  ## Run the whole test suite (slow benchmarks excluded).
	$(BIN)/python -m pytest

test-slow: install  ## Run only the tests marked slow.
	$(BIN)/python -m pytest -m slow

bench: install  ## Benchmark a synthetic study (SIZE=S|M|L, STORE=embedded|neo4j); prints a table, writes build/bench/.
	$(BIN)/python -m tests.bench.suite --size $(SIZE) --store $(STORE)

schema: install  ## Regenerate schema.graphql after changing the GraphQL schema.
	$(BIN)/thememap export-schema --output schema.graphql

clean:
	rm -rf $(VENV) data .pytest_cache $(CYPHER_LINT)/node_modules $(HTTP_AUDIT)/node_modules
