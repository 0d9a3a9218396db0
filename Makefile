# Two commands matter: `make run` (play the default rig) and `make test`.
# Each creates .venv and installs what it needs.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# torch first, pinned: on Debian machines like this one it resolves to a CPU wheel already on disk,
# where a bare `torch` would pull several GB of CUDA packages. Override with TORCH_SPEC=...
TORCH_SPEC ?= torch==2.13.0
SYSTEM_PACKAGES := jackd2 opencv-doc chromium
STAMP  := $(VENV)/.installed

.PHONY: run test check system-deps clean

run: $(STAMP)
	$(BIN)/performer run rigs/laptop.toml --fallback-render out

test: check system-deps
	$(BIN)/python -m pytest

# The house rules, before any test: lint, types, and the import contracts in pyproject.toml (the layers).
check: $(STAMP)
	$(BIN)/ruff check performer sensors synthesis tests
	$(BIN)/mypy
	$(BIN)/lint-imports

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q "$(TORCH_SPEC)"
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $@

# As root on Debian/Ubuntu, install the real JACK server, OpenCV's sample data and Chromium (the web monitor's
# test), which the tests use.
# Elsewhere print the command; the tests that need them skip (and fail under CI=true).
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
	  echo "missing system packages:$$missing -- install with: sudo apt-get install$$missing (their tests skip)"; \
	fi

clean:
	rm -rf $(VENV) out
