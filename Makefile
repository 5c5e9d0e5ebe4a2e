# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DEMO := perinatal-social-work

.PHONY: run test test-slow schema install clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found; install Python 3.11 or run make PYTHON=python3"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

run: install  ## Serve on http://127.0.0.1:8000 with the demo study loaded (embedded store).
	$(BIN)/thememap seed $(DEMO)
	$(BIN)/thememap serve

test: install  ## Run the whole test suite (slow benchmarks excluded).
	$(BIN)/python -m pytest

test-slow: install  ## Run only the tests marked slow.
	$(BIN)/python -m pytest -m slow

schema: install  ## Regenerate schema.graphql after changing the GraphQL schema.
	$(BIN)/thememap export-schema --output schema.graphql

clean:
	rm -rf $(VENV) data .pytest_cache
