# Levee — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell scripts/find-python.sh)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/levee)
TEST_REDIS_URL ?= $(or $(REDIS_URL),redis://127.0.0.1:6379/0)
SCALE ?= 1000000
REPEAT ?= 3

.PHONY: run test test-postgres test-smoke lint format fuzz load bench worker beat clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { scripts/find-python.sh; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[dev]"
	@touch $@ $(VENV)/.installed

# The local service's own signing key, made once per checkout (never committed).
.secret_key: | $(BIN)/python
	@$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@

LOCAL := env -u DATABASE_URL -u REDIS_URL SECRET_KEY=$$(cat .secret_key)

## run: the service with demo data on the embedded default (SQLite, Celery eager)
# Quiet setup (warnings and errors only), then one readable log line per request.
run: $(VENV)/.installed .secret_key
	@$(LOCAL) LOG_LEVEL=WARNING $(BIN)/python manage.py migrate --noinput -v0
	@$(LOCAL) LOG_LEVEL=WARNING $(BIN)/python manage.py seed_demo
	@$(LOCAL) LOG_LEVEL=WARNING $(BIN)/python manage.py collectstatic --noinput -v0
	@echo "API docs:  http://$(HOST):$(PORT)/api/v1/docs/"
	@echo "Admin:     http://$(HOST):$(PORT)/admin/"
	@$(LOCAL) LOG_FORMAT=console DJANGO_RUNSERVER_HIDE_WARNING=true \
		$(BIN)/python manage.py runserver $(HOST):$(PORT)

## test: the whole suite against PostgreSQL and Redis, then a smoke test of the SQLite default
test: $(VENV)/.installed-dev
	scripts/ensure-services.sh $(BIN)/python
	$(MAKE) --no-print-directory test-postgres test-smoke

test-postgres:
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest -m "not smoke" $(PYTEST_ARGS)

test-smoke:
	env -u DATABASE_URL -u REDIS_URL LEVEE_SQLITE_PATH=$(CURDIR)/.smoke.sqlite3 $(BIN)/pytest -m smoke -p no:cacheprovider tests/smoke

## fuzz: a long schemathesis run over every operation as every role (make test runs a short one)
fuzz: $(VENV)/.installed-dev
	scripts/ensure-services.sh $(BIN)/python
	FUZZ_EXAMPLES=$(or $(FUZZ_EXAMPLES),200) DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest tests/hardening/test_fuzz.py

## load: mixed workload against gunicorn on loopback (SECONDS, CLIENTS)
load: $(VENV)/.installed-dev
	scripts/ensure-services.sh $(BIN)/python
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/python -m bench.load --seconds $(or $(SECONDS),180) --clients $(or $(CLIENTS),16)

## bench: every benchmark in a database of its own; SCALE= events in the trace graph, REPEAT= runs (median printed)
bench: $(VENV)/.installed-dev
	scripts/ensure-services.sh $(BIN)/python
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/python -m bench.run --scale $(SCALE) --repeat $(REPEAT)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker: $(VENV)/.installed
	$(BIN)/celery -A config worker -l info

beat: $(VENV)/.installed
	$(BIN)/celery -A config beat -l info --scheduler django_celery_beat.schedulers:DatabaseScheduler

clean:
	rm -rf $(VENV) db.sqlite3 .smoke.sqlite3 .pytest_cache .secret_key
