# The two set-up commands of the README: `make demo` and `make test`.
# Both create .venv with the project and its dependencies on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test test-fast lint docs install clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

demo: $(BIN)/.installed
	$(BIN)/grader demo

lint: $(BIN)/.installed
	$(BIN)/ruff check grader tests
	$(BIN)/ruff format --check grader tests
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -n 2

# The documentation site (docs/, mkdocs-material) into build/site/; a warning is an error.
docs: $(BIN)/.installed
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

# The pure parts only: no kernel is started (tests that start one are marked slow).
test-fast: $(BIN)/.installed
	$(BIN)/pytest -n 2 -m "not slow"

clean:
	rm -rf $(VENV) reports/*/
