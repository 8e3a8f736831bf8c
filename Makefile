# Two commands on a fresh machine with only Python 3.11: `make demo` and `make test`.
# uv is installed into a private tool folder (.tools/) so nothing outside the project changes.

PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
export UV_PYTHON_DOWNLOADS := never

.PHONY: demo test lint env clean

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	touch $@

env: .venv/.synced

demo: env
	$(UV) run --frozen vawgscope demo

# The tests also run the profile on Spark: the `spark` extra is added for them.
test: env
	$(UV) run --frozen --extra spark pytest

lint: env
	$(UV) run --frozen ruff check src tests

clean:
	rm -rf out .venv .tools
