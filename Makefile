# Every workflow of the kit. `make help` lists them.
# The first target that needs Python builds .venv once (see `setup`); later targets reuse it.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ARCH := $(shell uname -m)
# torch/torchvision pins for this machine's architecture, if the kit has them.
CONSTRAINTS := $(wildcard constraints/$(ARCH).txt)
ASSIGNMENTS := parameters freeze linear
NB ?=

.PHONY: help setup grade test release lab clean

help:
	@echo "make grade [NB=path]  grade assignments/ (or one notebook / .py file); results in results/"
	@echo "make test             run the kit's own test suite"
	@echo "make release          regenerate assignments/ from solutions/ with nbgrader"
	@echo "make lab              open JupyterLab on assignments/"
	@echo "make setup            build .venv (done automatically by the targets above)"

setup: $(STAMP)

$(STAMP): pyproject.toml $(CONSTRAINTS)
	@echo "Setting up $(VENV) (once; torch is large, this takes a few minutes)"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -qq --upgrade pip
	$(PY) -m pip install -qq -e . $(addprefix -c ,$(CONSTRAINTS))
	touch $@

grade: $(STAMP)
ifeq ($(NB),)
	$(PY) -m autograder grade $(sort $(wildcard assignments/*/*.ipynb)) --out results
else
	$(PY) -m autograder grade "$(NB)" --out results
endif

test: $(STAMP)
	$(PY) -m pytest

# nbgrader runs helpers (alembic) from the venv's bin/, so it goes on PATH for every nbgrader call.
NBGRADER := PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/nbgrader

release: $(STAMP)
	@for a in $(ASSIGNMENTS); do \
	  if [ -f solutions/$$a/$$a.ipynb ]; then \
	    echo "release $$a"; $(NBGRADER) generate_assignment $$a --force --log-level=WARN || exit 1; \
	  fi; \
	done

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=assignments

clean:
	rm -rf results dist
