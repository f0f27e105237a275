# Bootstrap-and-run targets; every target works on a fresh clone.
# Override on the command line: make serve HOST=0.0.0.0 PORT=8080
PYTHON ?= python3
VENV   := .venv
STAMP  := $(VENV)/.installed
HOST   = 127.0.0.1
PORT   = 8000

.PHONY: venv serve test validate clean

venv: $(STAMP)

# Reinstall only when pyproject.toml changes (or the venv is missing).
$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $(STAMP)

serve: venv
	$(VENV)/bin/hcn serve --host $(HOST) --port $(PORT)

test: venv
	$(VENV)/bin/python -m pytest

validate: venv
	$(VENV)/bin/hcn validate

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
