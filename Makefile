# Ecosystem — the two commands: `make demo` and `make test`.
# Everything installs into .venv; nothing is needed beyond python3.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
HOST   ?= 127.0.0.1
PORT   ?= 8000
SCALE  ?= 1
export DJANGO_SETTINGS_MODULE ?= ecosystem.settings.base

.PHONY: demo test bench load install install-dev system-deps serve worker seed lint check migrate clean browsers

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# The stamps make re-runs instant and re-install when the requirements change.
$(VENV)/.installed: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: system-deps $(VENV)/.installed
install-dev: system-deps $(VENV)/.installed-dev

## The system libraries WeasyPrint needs for the statement and invoice PDFs (Pango, HarfBuzz's subsetter,
## fontconfig and a font): found, or installed with apt-get, or a clear message and a failure.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libfontconfig1 fonts-dejavu-core
PDF_LIBS_FOUND := import ctypes.util, glob, sys; \
	libs = all(ctypes.util.find_library(n) for n in ("pango-1.0", "pangoft2-1.0", "harfbuzz-subset", "fontconfig")); \
	fonts = glob.glob("/usr/share/fonts/**/*.ttf", recursive=True); sys.exit(0 if libs and fonts else 1)
system-deps:
	@$(PYTHON) -c '$(PDF_LIBS_FOUND)' 2>/dev/null || { \
	  echo "Installing the system libraries the PDFs need: $(PDF_PACKAGES)"; \
	  { apt-get install -y --no-install-recommends $(PDF_PACKAGES) >/dev/null 2>&1 \
	    || { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends $(PDF_PACKAGES) >/dev/null 2>&1; } \
	    || sudo apt-get install -y --no-install-recommends $(PDF_PACKAGES); } \
	  && $(PYTHON) -c '$(PDF_LIBS_FOUND)' \
	  || { echo "Could not install $(PDF_PACKAGES): install them with the system's package manager" \
	       "(the statement and invoice PDFs are rendered by WeasyPrint, which needs Pango and a font)."; exit 1; }; }

migrate: install
	@mkdir -p var
	$(PY) manage.py migrate --no-input

seed: migrate
	$(PY) manage.py seed_demo --if-empty --scale $(SCALE) --settle

## make demo: install, migrate, load the demo data, run the jobs, serve on http://127.0.0.1:8000
demo: seed
	$(PY) manage.py collectstatic --no-input --verbosity 0
	@if [ -n "$$CELERY_BROKER_URL" ]; then \
	  echo "Starting a Celery worker and beat against $$CELERY_BROKER_URL (logs in var/)"; \
	  $(VENV)/bin/celery -A ecosystem worker --loglevel=info --concurrency=2 > var/worker.log 2>&1 & \
	  $(VENV)/bin/celery -A ecosystem beat --loglevel=info > var/beat.log 2>&1 & \
	fi
	@echo ""
	@echo "  Ecosystem is on http://$(HOST):$(PORT)/  (logins above, password demo-pass-2026)"
	@echo ""
	@# The product's own 404 and 500 pages, not Django's debug pages (DEBUG=true make demo for those).
	DEBUG=$${DEBUG:-false} $(PY) manage.py runserver $(HOST):$(PORT)

serve: install
	$(PY) manage.py runserver $(HOST):$(PORT)

worker: install
	$(VENV)/bin/celery -A ecosystem worker --loglevel=info

## make test: install what tests need and run the whole suite (exit 5, "no tests", fails too).
## Two passes: everything but the real-worker tests on both cores, then the real-worker tests alone
## (they share one Redis queue, so they must not run side by side).
PYTEST_WORKERS ?= auto
test: install-dev
	@mkdir -p var test-artifacts
	@$(PY) -m pytest -n $(PYTEST_WORKERS) -m "not worker" $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; \
	  if [ $$rc -ne 0 ]; then exit $$rc; fi
	@$(PY) -m pytest -m worker $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no real-worker tests: failing"; exit 1; fi; exit $$rc

## make bench: the benchmarks on PostgreSQL (BENCH_DATABASE_URL), each beside its raw-SQL floor
bench: install-dev
	$(PY) bench/run.py $(BENCH)

## make load: 200 partner reps against gunicorn on 127.0.0.1 (DATABASE_URL: a seeded PostgreSQL)
load: install-dev
	$(PIP) install --quiet -r requirements-load.txt
	bench/load/run.sh

lint: install-dev
	$(VENV)/bin/ruff check .

check: install-dev
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

browsers:
	@command -v chromium >/dev/null || (apt-get install -y chromium >/dev/null 2>&1 || sudo apt-get install -y chromium)

clean:
	rm -rf var/ecosystem.sqlite3 staticfiles test-artifacts
