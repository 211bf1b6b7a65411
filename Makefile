# MCMS — run `make help` for the list of targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export MCMS_TEST_POSTGRES_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/postgres

.DEFAULT_GOAL := help

help: ## Show this help
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml setup.py backend/mcms/files/_sha256ni.c
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

NPM_STAMP := node_modules/.installed

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

install: $(STAMP) $(NPM_STAMP) ## Create .venv, install MCMS and the front end's packages

spa: install ## Build the SPA into backend/mcms/web/static
	npm run build

run: install spa ## Set up and serve MCMS on http://127.0.0.1:8000 (SQLite in ./var)
	$(BIN)/mcms serve

demo: install spa ## Like run, with demo users and data
	$(BIN)/mcms serve --demo

services: ## Start PostgreSQL for the tests if it is down
	./scripts/ensure-services.sh

lint: install ## ruff (lint and format check)
	$(BIN)/ruff check backend tests bench
	$(BIN)/ruff format --check backend tests bench

typecheck: install ## mypy --strict on the backend and the tests
	$(BIN)/mypy

schema: install ## Export the GraphQL SDL and regenerate the front end's types from it
	$(BIN)/mcms export-schema
	npm run codegen

pytest: install services ## Only the pytest suite (SQLite and PostgreSQL)
	$(BIN)/pytest

frontend-test: install ## Front-end checks: generated types match the SDL, typecheck, Vitest
	npm run codegen:check
	npm run typecheck
	npm test

e2e: install ## End-to-end tests: builds the SPA, then Chromium against the real mcms serve (docs/e2e.md)
	./scripts/ensure-browser.sh
	npm run build
	npm run e2e

test: install services lint typecheck frontend-test pytest e2e ## Set up and run every check and test (what CI runs)

bench: install services ## Benchmarks: routings list query, live-update fan-out, add-in jobs, large uploads and downloads, first page interactive (docs/performance.md)
	$(BIN)/python bench/routings_list.py
	$(BIN)/python bench/fanout.py
	$(BIN)/python bench/addin_jobs.py
	$(BIN)/python bench/uploads.py
	./scripts/ensure-browser.sh
	npm run build
	npm run bench:spa --workspace frontend

fmt: install ## Format the code
	$(BIN)/ruff format backend tests bench
	$(BIN)/ruff check --fix backend tests bench

.PHONY: help install spa run demo services lint typecheck schema pytest frontend-test e2e test bench fmt
