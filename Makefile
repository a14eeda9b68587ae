# Vigil's two contract commands: `make demo` and `make test`.
# Needs only Python 3.11 and pip; uv is installed if missing, then the locked
# environment is synced into .venv. Everything written at run time goes under
# VIGIL_HOME (default ./.vigil).

SHELL := /bin/bash
PYTHON ?= python3
export VIGIL_HOME ?= $(CURDIR)/.vigil
export DAGSTER_DISABLE_TELEMETRY := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export MLFLOW_DISABLE_TELEMETRY := true
export DO_NOT_TRACK := 1
export UV_PYTHON_DOWNLOADS := never

USER_BIN := $(shell $(PYTHON) -c 'import site, os; print(os.path.join(site.getuserbase(), "bin"))')
UV := $(or $(shell command -v uv 2>/dev/null),$(USER_BIN)/uv)
RUN := $(UV) run --frozen --no-sync

.PHONY: help install demo test lint ui mlflow-ui docs clean

help:
	@echo "make demo       install, then run the whole platform end to end (simulate, stream, Dagster, MLflow, Evidently)"
	@echo "make test       install, then run the test suite"
	@echo "make ui         Dagster UI and daemon on http://127.0.0.1:3000"
	@echo "make mlflow-ui  MLflow UI on http://127.0.0.1:5000"
	@echo "make docs       dbt docs (models, metrics, lineage) on http://127.0.0.1:8580"
	@echo "make lint       ruff"
	@echo "make clean      remove VIGIL_HOME ($(VIGIL_HOME))"

$(USER_BIN)/uv:
	$(PYTHON) -m pip install --user --quiet uv || $(PYTHON) -m pip install --user --quiet --break-system-packages uv

install: $(UV)
	$(UV) sync --frozen

demo: install
	$(RUN) vigil demo

# Tests run in parallel, one pytest-xdist worker per core; a test module stays on one worker
# (--dist loadfile) so module-scoped fixtures such as a shared simulated load are built once.
PYTEST_ARGS ?= -n auto --dist loadfile

test: install
	$(RUN) pytest $(PYTEST_ARGS)

lint: install
	$(RUN) ruff check .
	$(RUN) ruff format --check .

ui: install
	$(RUN) vigil ui

mlflow-ui: install
	$(RUN) vigil mlflow-ui

docs: install
	$(RUN) vigil docs

clean:
	rm -rf "$(VIGIL_HOME)"
