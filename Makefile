# AIWebPOS — the three commands of the README. Each installs what it needs first, so a fresh machine
# with Python 3.11+ and make is enough.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := var/uv/bin/uv
VENV := .venv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)

.PHONY: install system-deps demo test lint bench clean

# uv lives in its own small venv so that `uv sync` never removes it from the project's.
# Debian's Python lacks venv until python3-venv is installed (root apt is allowed).
$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "AIWebPOS needs Python 3.11 or newer")'
	$(PYTHON) -m venv var/uv || { rm -rf var/uv && apt-get update -qq && apt-get install -y -qq python3-venv \
		&& $(PYTHON) -m venv var/uv; }
	var/uv/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: $(UV) uv.lock pyproject.toml */pyproject.toml
	$(UV) sync --all-packages --frozen --python $(PYTHON)
	touch $@

install: $(VENV)/.installed system-deps

# The real broker the tests, the demo and the benchmarks run, and Debian's Chromium for the browser
# tests (root apt is allowed; Playwright never downloads a browser of its own here).
system-deps:
	@command -v mosquitto >/dev/null || test -x /usr/sbin/mosquitto || \
		{ apt-get update -qq && apt-get install -y -qq mosquitto; }
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }

demo: install
	$(VENV)/bin/python -m demo

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# Two workers: one runs the cross-package chains (tests/, first in testpaths and kept first), the other
# the packages' own tests, file by file (devkit/fixtures.py).
test: install lint
	$(VENV)/bin/pytest -n 2 --no-loadscope-reorder

bench: install
	$(VENV)/bin/python -m bench

clean:
	rm -rf $(VENV) var
