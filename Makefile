# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DEMO := perinatal-social-work
CYPHER_LINT := tests/cypher_lint
HTTP_AUDIT := tests/http_audit
AXE := tests/e2e/axe
# The Cypher grammar test, the GraphQL over HTTP audit and the page's accessibility audit need Node;
# without npm, `make test` goes on and those tests skip (they fail under CI).
LINT_DEPS := $(if $(shell command -v npm),$(CYPHER_LINT)/node_modules/.installed $(HTTP_AUDIT)/node_modules/.installed \
	$(AXE)/node_modules/.installed,lint-deps-missing)

# The browser test needs Debian's chromium: `make test` installs it when apt-get and root (or sudo) are there;
# otherwise it goes on and that test skips (fails under CI).
CHROMIUM := /usr/bin/chromium
SUDO = $(if $(filter 0,$(shell id -u)),,sudo -n)
CAN_APT = $(shell command -v apt-get >/dev/null && { [ "$$(id -u)" = 0 ] || sudo -n true 2>/dev/null; } && echo yes)
BROWSER_DEPS = $(if $(wildcard $(CHROMIUM)),,$(if $(CAN_APT),browser-deps,browser-deps-missing))
# The graph library the web page serves and GraphiQL, vendored in api/static/vendor (see its VERSIONS).
WEB_VENDOR := api/static/vendor
# Each entry is package@version:the files of its npm package to vendor (comma-separated).
WEB_PACKAGES := cytoscape@3.35.0:dist/cytoscape.min.js layout-base@2.0.1:layout-base.js cose-base@2.2.0:cose-base.js \
	cytoscape-fcose@2.2.0:cytoscape-fcose.js
# GraphiQL (at /graphql in development) and the React it runs on, served from the package: no CDN.
GRAPHIQL_PACKAGES := react@18.2.0:umd/react.production.min.js react-dom@18.2.0:umd/react-dom.production.min.js \
	graphiql@3.8.3:graphiql.min.js,graphiql.min.css

SIZE ?= M
STORE ?= embedded

.PHONY: run test check test-slow bench schema install install-test lint-deps lint-deps-missing browser-deps browser-deps-missing \
	screenshot web-vendor clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found; install Python 3.11 or run make PYTHON=python3"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Two stamps: `make run` installs the runtime dependencies only (.installed); the test, check and
# bench targets add the test extra (.installed-test, which implies .installed), so `make run` then
# `make test` in one venv installs the extra once, and `make test` then `make run` installs nothing.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed  ## Install thememap and its runtime dependencies into .venv.

install-test: $(VENV)/.installed-test  ## Install thememap with the test extra (pytest, playwright, ArcadeDB, linters) into .venv.

$(CYPHER_LINT)/node_modules/.installed: $(CYPHER_LINT)/package.json $(CYPHER_LINT)/package-lock.json
	npm ci --prefix $(CYPHER_LINT) --no-audit --no-fund --loglevel=error
	touch $@

$(HTTP_AUDIT)/node_modules/.installed: $(HTTP_AUDIT)/package.json $(HTTP_AUDIT)/package-lock.json
	npm ci --prefix $(HTTP_AUDIT) --no-audit --no-fund --loglevel=error
	touch $@

$(AXE)/node_modules/.installed: $(AXE)/package.json $(AXE)/package-lock.json
	npm ci --prefix $(AXE) --no-audit --no-fund --loglevel=error
	touch $@

lint-deps: $(LINT_DEPS)  ## Install the npm tools the tests use: Neo4j's Cypher analyser, graphql-http's audit, axe-core.

lint-deps-missing:
	@echo "npm not found: skipping the npm test tools; the Cypher grammar test, the HTTP audit and the accessibility audit will skip (install Node.js)."

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

test: install-test lint-deps $(BROWSER_DEPS) check  ## Lint, type-check and run the whole test suite (slow benchmarks excluded).
	$(BIN)/python -m pytest

check: install-test  ## ruff (lint and format) over the code, mypy (strict) over graph/.
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test-slow: install-test  ## Run only the tests marked slow.
	$(BIN)/python -m pytest -m slow

bench: install-test  ## Benchmark a synthetic study (SIZE=S|M|L, STORE=embedded|neo4j), then a team session on 1 and 2 workers; prints tables, writes build/bench/.
	$(BIN)/python -m tests.bench.suite --size $(SIZE) --store $(STORE)
	$(BIN)/python -m tests.bench.team --size $(SIZE) --store $(STORE)

schema: install  ## Regenerate schema.graphql after changing the GraphQL schema.
	$(BIN)/thememap export-schema --output schema.graphql

screenshot: install-test browser-deps  ## Regenerate docs/theme-map.png, the README's picture of the demo map.
	$(BIN)/python -m tests.e2e.screenshot docs/theme-map.png

web-vendor:  ## Refresh the vendored page libraries and GraphiQL from the npm registry (WEB_PACKAGES, GRAPHIQL_PACKAGES).
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && for entry in $(WEB_PACKAGES) $(GRAPHIQL_PACKAGES); do \
	  spec=$${entry%%:*}; name=$${spec%@*}; file=$$(cd "$$tmp" && npm pack --silent "$$spec") && mkdir "$$tmp/$$name" && \
	  tar xzf "$$tmp/$$file" -C "$$tmp/$$name" && cp "$$tmp/$$name/package/LICENSE" $(WEB_VENDOR)/$$name.LICENSE && \
	  for path in $$(echo "$${entry#*:}" | tr , ' '); do cp "$$tmp/$$name/package/$$path" $(WEB_VENDOR)/ || exit 1; done || exit 1; \
	done; echo "vendored $(WEB_PACKAGES) $(GRAPHIQL_PACKAGES) in $(WEB_VENDOR); update its VERSIONS"

clean:
	rm -rf $(VENV) data .pytest_cache $(CYPHER_LINT)/node_modules $(HTTP_AUDIT)/node_modules $(AXE)/node_modules
