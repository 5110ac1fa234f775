# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install lint bench loadtest

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# Serve the app on http://127.0.0.1:8000 with demo data: SQLite, tasks in process.
# DEBUG is off unless set (smartnet/settings.py); a laptop turns it on.
run: export DEBUG ?= 1
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# The whole test suite (SQLite by default; PostgreSQL and Redis when
# DATABASE_URL and REDIS_URL are set), then the static checks. One pytest-xdist
# worker per core (TEST_WORKERS=1 for one process); the slowest tests listed.
test: install
	$(BIN)/python -m pytest -n $${TEST_WORKERS:-auto} --durations=25
	$(MAKE) --no-print-directory lint

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/mypy
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=0 SECRET_KEY=$$($(BIN)/python -c "import secrets; print(secrets.token_urlsafe(64))") \
	  ALLOWED_HOSTS=smartnet.example $(BIN)/python manage.py check --deploy --fail-level WARNING

bench: install
	$(BIN)/python -m bench --scale $${SCALE:-1}

# Many users at once (bench/loadtest.py): gunicorn on the PostgreSQL database in
# DATABASE_URL (seeded) with Redis in REDIS_URL, locust at 8, 32 and 64 users.
loadtest: install
	$(BIN)/python -m bench.loadtest --scale $${SCALE:-10} --seconds $${SECONDS_PER_RUN:-60}
