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

# The browser test needs Debian's chromium: `make test` installs it when apt-get and root (or sudo) are there;
# otherwise it goes on and that test skips (fails under CI).
CHROMIUM := /usr/bin/chromium
SUDO = $(if $(filter 0,$(shell id -u)),,sudo -n)
CAN_APT = $(shell command -v apt-get >/dev/null && { [ "$$(id -u)" = 0 ] || sudo -n true 2>/dev/null; } && echo yes)
BROWSER_DEPS = $(if $(wildcard $(CHROMIUM)),,$(if $(CAN_APT),browser-deps,browser-deps-missing))
# The graph library the web page serves, vendored in api/static/vendor (see its VERSIONS).
WEB_VENDOR := api/static/vendor
WEB_PACKAGES := cytoscape@3.35.0 layout-base@2.0.1 cose-base@2.2.0 cytoscape-fcose@2.2.0

SIZE ?= M
STORE ?= embedded

.PHONY: run test check test-slow bench schema install lint-deps lint-deps-missing browser-deps browser-deps-missing \
	screenshot web-vendor clean

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

$(CHROMIUM):
	@command -v apt-get >/dev/null && { [ "$$(id -u)" = 0 ] || sudo -n true 2>/dev/null; } || \
	  { echo "chromium is missing and installing it needs apt-get and root or sudo: run 'sudo apt-get install chromium'"; exit 1; }
	$(SUDO) apt-get update -q
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium

browser-deps: $(CHROMIUM)  ## Install Debian's chromium for the browser test (tests/e2e).

browser-deps-missing:
	@echo "chromium not found and no root or sudo to install it: the browser test will skip (run 'make browser-deps' as root)."

run: install  ## Serve on http://127.0.0.1:8000 with the demo study loaded (embedded store).
	$(BIN)/thememap seed $(DEMO)
	$(BIN)/thememap user token demo
	$(BIN)/thememap serve

test: install lint-deps $(BROWSER_DEPS) check  ## Lint, type-check and run the whole test suite (slow benchmarks excluded).
	$(BIN)/python -m pytest

check: install  ## ruff (lint and format) over the code, mypy (strict) over graph/.
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test-slow: install  ## Run only the tests marked slow.
	$(BIN)/python -m pytest -m slow

bench: install  ## Benchmark a synthetic study (SIZE=S|M|L, STORE=embedded|neo4j), then a team session on 1 and 2 workers; prints tables, writes build/bench/.
	$(BIN)/python -m tests.bench.suite --size $(SIZE) --store $(STORE)
	$(BIN)/python -m tests.bench.team --size $(SIZE) --store $(STORE)

schema: install  ## Regenerate schema.graphql after changing the GraphQL schema.
	$(BIN)/thememap export-schema --output schema.graphql

screenshot: install browser-deps  ## Regenerate docs/theme-map.png, the README's picture of the demo map.
	$(BIN)/python -m tests.e2e.screenshot docs/theme-map.png

web-vendor:  ## Refresh the vendored cytoscape.js and fcose layout from the npm registry (WEB_PACKAGES).
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && for spec in $(WEB_PACKAGES); do \
	  name=$${spec%@*}; file=$$(cd "$$tmp" && npm pack --silent "$$spec") && mkdir "$$tmp/$$name" && \
	  tar xzf "$$tmp/$$file" -C "$$tmp/$$name" && cp "$$tmp/$$name/package/LICENSE" $(WEB_VENDOR)/$$name.LICENSE && \
	  if [ "$$name" = cytoscape ]; then cp "$$tmp/$$name/package/dist/cytoscape.min.js" $(WEB_VENDOR)/; \
	  else cp "$$tmp/$$name/package/$$name.js" $(WEB_VENDOR)/; fi || exit 1; \
	done; echo "vendored $(WEB_PACKAGES) in $(WEB_VENDOR); update its VERSIONS"

clean:
	rm -rf $(VENV) data .pytest_cache $(CYPHER_LINT)/node_modules $(HTTP_AUDIT)/node_modules
