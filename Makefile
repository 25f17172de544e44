# One command each: `make grade` sets up and grades the bundled sample class; `make test` sets up and runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup grade test clean

$(BIN)/grader: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[test]"
	touch $(BIN)/grader

setup: $(BIN)/grader

grade: setup
	$(BIN)/grader run submissions/ --out grading

# two workers: sandboxed runs wait on time limits and child processes, so two cores stay busy; then the tests
# marked `alone` by themselves (tests/conftest.py). Both phases always run; either failing fails the target.
test: setup
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup -m "not alone"; parallel=$$?; \
	$(BIN)/python -m pytest -q -m alone; alone=$$?; \
	test $$parallel -eq 0 && test $$alone -eq 0

clean:
	rm -rf $(VENV) grading
