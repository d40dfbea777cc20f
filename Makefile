# Two commands on a fresh machine: `make run` and `make test`. See README.md.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
CATALOG := lms/translations/zh_Hans_CN/LC_MESSAGES/messages

.PHONY: run worker test test-sqlite test-postgresql bench scan lint typecheck translations extract-messages \
        system-packages test-system-packages bench-system-packages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

$(CATALOG).mo: $(CATALOG).po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d lms/translations -D messages

translations: $(CATALOG).mo

system-packages:
	@scripts/system-packages.sh run

test-system-packages:
	@scripts/system-packages.sh test

bench-system-packages:
	@scripts/system-packages.sh bench

# Certificates (seeded ones too) print and QR-encode the address this run serves.
run: export LMS_PUBLIC_URL ?= http://127.0.0.1:$(PORT)
run: $(STAMP) translations system-packages
	$(BIN)/lms db upgrade
	$(BIN)/lms courses media build
	$(BIN)/lms demo seed --if-empty --with-results
	$(BIN)/lms courses media renditions
	$(BIN)/lms certificates fonts
	@echo "Serving http://127.0.0.1:$(PORT)  (Ctrl-C stops)"
	$(BIN)/lms run --host 127.0.0.1 --port $(PORT) --no-reload

# A Celery worker for background jobs (needs LMS_REDIS_URL; run one per CPU, or use -c N).
worker: $(STAMP) translations system-packages
	$(BIN)/celery -A lms.jobs.worker worker --queues $${LMS_CELERY_QUEUE:-lms} --loglevel INFO

# SQLite always; PostgreSQL as well, side by side, when LMS_TEST_DATABASE_URL names one (CI sets it).
test: $(STAMP) translations test-system-packages
	scripts/test.sh $(PYTEST_ARGS)

bench: $(STAMP) translations bench-system-packages
	$(BIN)/python -m bench $(if $(ONLY),--only $(ONLY),)

# sqlmap and wapiti against a local production-mode instance with demo data (docs/security.md).
scan: $(STAMP) translations
	@scripts/system-packages.sh scan
	$(BIN)/python scripts/scan.py

lint: $(STAMP)
	$(BIN)/ruff check lms tests bench migrations scripts
	$(BIN)/ruff format --check lms tests bench scripts

typecheck: $(STAMP)
	$(BIN)/mypy

extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -o lms/translations/messages.pot --no-location --sort-output --omit-header .
	$(BIN)/pybabel update -i lms/translations/messages.pot -d lms/translations -D messages --ignore-obsolete --no-fuzzy-matching --width=100

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
