# Bootstrap-and-run targets; every target works on a fresh clone.
# Override on the command line: make serve HOST=0.0.0.0 PORT=8080
PYTHON ?= python3
VENV   := .venv
STAMP  := $(VENV)/.installed
HOST   = 127.0.0.1
PORT   = 8000

.PHONY: venv serve serve-production test soak validate clean bench

venv: $(STAMP)

# Reinstall only when pyproject.toml changes (or the venv is missing).
$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $(STAMP)

serve: venv
	$(VENV)/bin/hcn serve --host $(HOST) --port $(PORT)

serve-production: venv
	$(VENV)/bin/hcn serve --production --host $(HOST) --port $(PORT)

# The browser tests drive Debian's Chromium; install it once if the machine lacks it (as root, or via sudo).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BROWSER := $(VENV)/.chromium

$(BROWSER): | $(STAMP)
	command -v chromium >/dev/null 2>&1 || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null)
	touch $@

# The remote-mode suite also runs against Virtuoso Open Source (tests/test_remote_virtuoso.py): Debian's
# server binary and ISQL client only (no service, no web UI), installed once if the machine lacks them.
VIRTUOSO := $(VENV)/.virtuoso

$(VIRTUOSO): | $(STAMP)
	command -v virtuoso-t >/dev/null 2>&1 || ($(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq --no-install-recommends virtuoso-opensource-7-bin >/dev/null)
	touch $@

test: venv $(BROWSER) $(VIRTUOSO)
	$(VENV)/bin/python -m pytest

# The fair-share soak alone (also part of make test): abusive and normal clients against hcn serve
# --production; make soak SOAK_SECONDS=600 for a longer run.
SOAK_SECONDS ?= 60
soak: venv
	HCN_SOAK_SECONDS=$(SOAK_SECONDS) $(VENV)/bin/python -m pytest -q -s tests/test_fair_share_server.py -k soak

validate: venv
	$(VENV)/bin/hcn validate

# Side-by-side benchmark (benchmarks/run.py): 10k and 100k triples; make bench BENCH_ARGS=--full adds 1M.
# Peers go into their own venv; wrk comes from Debian (the Python load client stands in without it).
BENCH_ARGS ?=
PEERS := benchmarks/.venv-peers

$(PEERS)/.installed: benchmarks/requirements-peers.txt
	test -x $(PEERS)/bin/python || $(PYTHON) -m venv $(PEERS)
	$(PEERS)/bin/pip install -q -r benchmarks/requirements-peers.txt
	touch $@

$(VENV)/.bench-installed: $(STAMP)
	$(VENV)/bin/pip install -q -e '.[bench]'
	touch $@

bench: $(VENV)/.bench-installed $(PEERS)/.installed
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk) || echo "no wrk: using the Python load client"
	$(VENV)/bin/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(PEERS) build dist *.egg-info .pytest_cache
