# The one entry point: make run, make test, make lint, make fmt, make bench, make smoke.
# make test: the import contracts, the front end's pure modules (node --test tests/js/, Node's
# own runner), then pytest (browser pages through Playwright included).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
PORT ?= 8000
# Tests run against real services at their local addresses (override in the environment).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: setup run test lint fmt bench smoke system-packages clean

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(BIN)/uv pyproject.toml uv.lock
	$(BIN)/uv sync --frozen --quiet
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian packages Groundwork needs: gettext (translations), the handwriting font of the
# synthetic photos; chromium only for the browser tests (see test).
system-packages:
	@missing=""; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	[ -f /usr/share/fonts/truetype/fifthhorseman/dkg.ttf ] || missing="$$missing fonts-dkg-handwriting"; \
	[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$$missing fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then scripts/apt-install $$missing; fi

setup: system-packages $(VENV)/.synced node_modules/.installed
	$(BIN)/python manage.py compilemessages --ignore='.venv' --ignore='node_modules' -v0

# DEBUG is off (DEBUG=1 make run for Django's debug pages), so whitenoise serves the
# collected static files: hashed names, compressed.
run: setup
	$(BIN)/python manage.py collectstatic --noinput -v0
	PORT=$(PORT) scripts/run

test: setup
	@missing=""; [ -x /usr/bin/chromium ] || missing="chromium"; \
	  [ -d /usr/share/fonts/opentype/noto ] || missing="$$missing fonts-noto-cjk"; \
	  if [ -n "$$missing" ]; then scripts/apt-install $$missing; fi
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	  $(BIN)/lint-imports --no-cache
	node --test --test-reporter=dot tests/js/
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	  DATABASE_CONN_MAX_AGE=0 $(BIN)/pytest -n 2 --dist loadgroup --durations=30 --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

lint: $(VENV)/.synced
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

fmt: $(VENV)/.synced
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	  $(BIN)/python bench/run.py $(BENCH_ARGS)

smoke:
	scripts/smoke

clean:
	rm -rf $(VENV) node_modules staticfiles test-artifacts .coverage
