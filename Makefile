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
# The assignments in course order: each autograder/graders/<id>/ with an assignment.toml (see
# autograder/assignments.py). Read where a recipe uses it, with .venv's Python once it exists, else
# with the one that builds it (the registry needs only the standard library).
ASSIGNMENTS = $(or $(shell "$$([ -x $(PY) ] && echo $(PY) || echo $(PYTHON))" -m autograder.assignments list),\
  $(error no assignments: `python -m autograder.assignments list` says why))
NB ?=
# Where `make student-kit` writes student-kit/ and student-kit.zip.
DIST ?= dist
# Extra options for JupyterLab, e.g. LAB_ARGS="--no-browser --port=8890".
LAB_ARGS ?=
# The course's language (en, zh): `make release LANG=zh` releases the notebooks in Chinese, and
# the released notebooks then carry it (feedback, the learner's kit). Without LANG on the command
# line it is the language assignments/ was released in. The environment's LANG (a locale) is not
# this: a LANG given here is not passed on to the programs make runs.
ifeq ($(origin LANG),command line)
COURSE_LANG := $(LANG)
override LANG := C.UTF-8
export LANG
else
COURSE_LANG = $(shell $(PY) -m autograder.course.translation language 2>/dev/null || echo en)
endif

.PHONY: help setup grade grade-all test release lab clean autograde feedback export student-kit

help:
	@echo "make grade [NB=path] [A=id]  grade work/ if it exists, else assignments/ (or one notebook / .py file); results in results/"
	@echo "make test             run the kit's own test suite (in parallel; TEST_JOBS=n workers)"
	@echo "make test-fast        the unit layer only (seconds): layout, static scan, registry, config, wire"
	@echo "make grade-all        grade submitted/<student>/<id>/ in parallel into results/class/"
	@echo "make bench            time grade-all against nbgrader autograde on the same class"
	@echo "make mutants [A=id]   grade every mutant of the reference answers; reports in results/mutants/"
	@echo "make new-assignment A=id  the scaffold of a new assignment (docs/authoring.md)"
	@echo "make check-assignment A=id  one assignment's whole proof: lists what is missing"
	@echo "make zoo-costs [A=id] the points each bug-zoo entry (one mistake) loses"
	@echo "make release [LANG=zh] regenerate assignments/ from solutions/ with nbgrader, in English or Chinese"
	@echo "make translations     update the translation catalogues and say what is missing or stale"
	@echo "make lab              open JupyterLab on a working copy of assignments/ (LAB_DIR, default work/)"
	@echo "make release-exchange COURSE=id [EXCHANGE=dir] [A=id] [FORCE=1]  nbgrader release_assignment to the exchange (JupyterHub), engine beside each notebook"
	@echo "make student-kit      build dist/student-kit/ and dist/student-kit.zip for learners"
	@echo "make gradescope       build dist/gradescope/<id>.zip, one Gradescope autograder per assignment"
	@echo "make class-report     HTML report of results/class/ (RESULTS=dir) in results/class-report.html"
	@echo "make autograde        nbgrader autograde of submitted/<student>/<id>/<id>.ipynb"
	@echo "make feedback         nbgrader's HTML feedback per learner, in feedback/"
	@echo "make export           nbgrader's grades.csv, and grades-status.csv (submitted or not)"
	@echo "make setup            build .venv (done automatically by the targets above)"

setup: $(STAMP)

$(STAMP): pyproject.toml $(CONSTRAINTS)
	@echo "Setting up $(VENV) (once; torch is large, this takes a few minutes)"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -qq --upgrade pip
	@# .[dev]: what the kit's own tests and make lint need (pytest-xdist, hypothesis, ruff).
	$(PY) -m pip install -qq -e '.[dev]' $(addprefix -c ,$(CONSTRAINTS))
	@# Headless Chromium for the tests that open the kit's pages as a person would (they skip,
	@# saying why, where it cannot be installed: not root, no apt).
	@command -v chromium-headless-shell >/dev/null || command -v chromium >/dev/null || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	    { apt-get install -y -qq chromium-headless-shell >/dev/null 2>&1 || \
	      { apt-get update -qq >/dev/null 2>&1 && \
	        apt-get install -y -qq chromium-headless-shell >/dev/null 2>&1; }; }; } || \
	  echo "note: no headless Chromium (apt-get install chromium-headless-shell); the page tests will skip"
	touch $@

# A=<id> names the assignment of a notebook whose name does not (linear (copy).ipynb).
# Without NB: the learner's working copy, work/ (what `make lab` opens), when it holds notebooks,
# else assignments/ as released. A result file with points is never replaced by an untouched
# stub's zeros, and a path that does not exist is an error (exit 2), with no result written.
# Plain `make grade` grades assignments/ (the contract's command); `make grade-work` grades the
# lab's working copy, work/.
grade: $(STAMP)
ifeq ($(NB),)
	@echo "grading the notebooks in assignments/ (results in results/)"
	@if ls work/*/*.ipynb >/dev/null 2>&1; then echo "(your working copy is work/: make grade-work grades it)"; fi
	$(PY) -m autograder grade assignments/*/*.ipynb --out results
else
	$(PY) -m autograder grade "$(NB)" --out results $(if $(A),--assignment $(A))
endif

.PHONY: grade-work
grade-work: $(STAMP)
	@ls work/*/*.ipynb >/dev/null 2>&1 || { echo "no work/ yet: make lab makes it"; exit 2; }
	@echo "grading the notebooks in work/ (results in results/)"
	$(PY) -m autograder grade work/*/*.ipynb --out results

# The kit's own tests. In parallel: TEST_JOBS pytest-xdist workers (default the cores, at most 8),
# each test file on one worker (--dist loadfile: a module's graded fixtures are built once), in
# tests/conftest.py's order (longest first; xdist's own would put the files with most tests first);
# then the tests marked `serial` (they change what every grading process on the machine shares),
# alone. PYTEST_ARGS go to both runs. `make test-fast`: the unit layer, seconds, for everyday work.
TEST_JOBS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); echo $$(( n > 8 ? 8 : n )))
PYTEST_ARGS ?=
FAST_TESTS = $(wildcard tests/test_layout.py tests/test_static_scan.py tests/test_registry.py \
  tests/test_config.py tests/test_protocol.py tests/test_modelspec.py tests/test_static_helpers.py \
  tests/test_docstring_example.py tests/test_exchange.py)
.PHONY: test-fast
test: $(STAMP) lint
	$(PY) -m pytest -n $(TEST_JOBS) --dist loadfile --no-loadscope-reorder -m 'not serial' $(PYTEST_ARGS); \
	  status=$$?; \
	  $(PY) -m pytest -m serial $(PYTEST_ARGS) && exit $$status

test-fast: $(STAMP)
	$(PY) -m pytest -q $(FAST_TESTS) $(PYTEST_ARGS)

# ruff, configured in pyproject.toml ([tool.ruff]); never `ruff format` (the code is laid out by hand).
.PHONY: lint
lint: $(STAMP)
	$(PY) -m ruff check autograder tests mutation bench

# A whole class in nbgrader's layout, graded in parallel: results/class/<student>/<id>.json + class.csv
SUBMITTED ?= submitted
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
# SCHEDULER=tls://host:8786 grades on that Dask cluster (README, "Beyond one machine").
SCHEDULER ?=
grade-all: $(STAMP)
	$(PY) -m autograder grade-all $(SUBMITTED) --out results/class --jobs $(JOBS) \
	  $(if $(SCHEDULER),--scheduler "$(SCHEDULER)")

# nbgrader runs helpers (alembic) from the venv's bin/, so it goes on PATH for every nbgrader call.
NBGRADER := PATH="$(abspath $(VENV))/bin:$$PATH" $(abspath $(VENV))/bin/nbgrader

# In another language than English, the sources are first written in it to build/source-<lang>/
# (from solutions/ and translations/<lang>/), and nbgrader releases them from there.
release: $(STAMP)
	@lang="$(COURSE_LANG)"; source=solutions; \
	if [ "$$lang" != en ]; then \
	  $(PY) -m autograder.course.translation sources "$$lang" "build/source-$$lang" > /dev/null || exit 1; \
	  source="build/source-$$lang"; \
	fi; \
	for a in $(ASSIGNMENTS); do \
	  if [ -f solutions/$$a/$$a.ipynb ]; then \
	    echo "release $$a ($$lang)"; \
	    $(NBGRADER) generate_assignment $$a --force --log-level=ERROR \
	      --CourseDirectory.source_directory="$$source" || exit 1; \
	  fi; \
	done

# nbgrader's exchange (a JupyterHub course): each assignment is staged in build/exchange/<id>/ with
# the public engine beside its notebook (no hidden graders), then released with the course id.
.PHONY: release-exchange
release-exchange: $(STAMP)
	@test -n "$(COURSE)" || { echo "make release-exchange: give the course id, COURSE=..." >&2; exit 2; }
	$(PY) -m autograder.course.exchange release --course "$(COURSE)" \
	  $(if $(EXCHANGE),--exchange "$(EXCHANGE)") $(foreach a,$(A),--assignment $(a)) \
	  $(if $(FORCE),--force)

# Messages (autograder/i18n/locale/) and notebooks (translations/): add what is new, compile, report.
.PHONY: translations
translations: $(STAMP)
	$(PY) -m autograder.i18n update
	$(PY) -m autograder.i18n check
	$(PY) -m autograder.course.translation check

# JupyterLab on a working copy of assignments/ (made once, in LAB_DIR): saving a notebook never
# changes the released files, which must stay what `make release` writes. The check cells import
# `autograder` from the course root, whatever the venv has installed. As root (course servers,
# containers) JupyterLab needs --allow-root.
LAB_DIR ?= work
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)
lab: $(STAMP)
	@test -d "$(LAB_DIR)" || { mkdir -p "$(LAB_DIR)" && cp -r assignments/. "$(LAB_DIR)/" && \
	  echo "copied assignments/ to $(LAB_DIR)/ (your working copy; assignments/ stays as released)"; }
	PYTHONPATH="$(CURDIR)" $(VENV)/bin/jupyter lab --notebook-dir="$(LAB_DIR)" $(ROOT_FLAG) $(LAB_ARGS)

# The semester with nbgrader (see README, "For instructors"). Each loop skips the assignments
# with nothing to work on. autograde releases first: nbgrader's gradebook (gradebook.db) learns
# each assignment's graded cells from `generate_assignment`, and a fresh clone has no gradebook.
# nbgrader runs no notebook (nbgrader_config.py replaces its Execute step: no kernel, no learner
# code outside the sandbox); it records submissions, timestamps and late penalties and writes
# autograded/. Then the engine grades the same notebooks in its sandbox and writes its scores into
# nbgrader's gradebook, all or nothing per assignment, failing if any could not be written (see
# README, "The semester"). A notebook nbgrader cannot process stops nothing: nbgrader's own
# output (its tracebacks) goes to autograded/nbgrader-<id>.log, the terminal gets a line per
# assignment, then the engine's line per submission as it is graded.
autograde: release
	@mkdir -p autograded; for a in $(ASSIGNMENTS); do \
	  if compgen -G "submitted/*/$$a/*.ipynb" > /dev/null; then \
	    start=$$(date +%s); log="autograded/nbgrader-$$a.log"; \
	    $(NBGRADER) autograde $$a --force --log-level=ERROR > "$$log" 2>&1; status=$$?; \
	    failed=$$(sed -n "s/.*error processing assignment '$$a' for student '\(.*\)'.*/\1/p" "$$log" | sort -u | tr '\n' ' '); \
	    echo "nbgrader autograde $$a: $$(ls -d submitted/*/$$a 2>/dev/null | wc -l) submissions recorded in $$(( $$(date +%s) - start )) s (timestamps, late penalties; no kernel)$${failed:+; could not process: $$failed(the engine grades them; see $$log)}"; \
	    if [ $$status -ne 0 ] && [ -z "$$failed" ]; then echo "nbgrader autograde $$a failed (exit $$status); the engine grades every notebook; see $$log"; fi; \
	  fi; \
	done
	$(PY) -m autograder gradebook --jobs $(JOBS)

feedback: $(STAMP)
	@for a in $(ASSIGNMENTS); do \
	  if compgen -G "autograded/*/$$a/$$a.ipynb" > /dev/null; then \
	    echo "feedback $$a"; $(NBGRADER) generate_feedback $$a --force --log-level=ERROR || exit 1; \
	  fi; \
	done

# grades.csv is nbgrader's (0 for a notebook never submitted too); grades-status.csv says which.
export: $(STAMP)
	$(NBGRADER) export --log-level=WARN
	@echo "grades in grades.csv"
	$(PY) -m autograder grades-status --out grades-status.csv

student-kit: $(STAMP)
	$(PY) -m autograder student-kit --out $(DIST) --lang $(COURSE_LANG)

# One Gradescope autograder per assignment (upload dist/gradescope/<id>.zip; see kit/gradescope/).
.PHONY: gradescope class-report
gradescope: $(STAMP)
	$(PY) -m autograder gradescope --out $(DIST)/gradescope

# Which checks and concepts a class fails most often, from the results of `make grade-all`; with
# SUBMITTED (default submitted/), who did not submit; a table per learner.
RESULTS ?= results/class
class-report: $(STAMP)
	$(PY) -m autograder class-report $(RESULTS) --out results/class-report.html \
	  $(if $(wildcard $(SUBMITTED)),--submitted "$(SUBMITTED)")

# grade-all against nbgrader autograde on the same submissions, in one run (a few minutes).
BENCH_ARGS ?=
.PHONY: bench
bench: $(STAMP)
	$(PY) bench/grading_speed.py $(BENCH_ARGS)

# Mutation analysis of the graders (see mutation/): every mutant of the reference answers, graded.
A ?=
.PHONY: mutants
mutants: $(STAMP)
	$(PY) mutation/run.py --jobs $(JOBS) $(if $(A),--assignment $(A))

# An instructor's own assignment (docs/authoring.md): new-assignment writes its scaffold (the
# registry finds it: nothing else to edit); check-assignment releases it, then runs its whole
# proof (reference, stub, alternatives, zoo, concepts, points, mutants, both languages) and lists
# what is missing, failing when anything is. TITLE="..." gives the new one its English title.
.PHONY: new-assignment check-assignment
new-assignment: $(STAMP)
	@test -n "$(A)" || { echo "usage: make new-assignment A=<id> [TITLE=\"...\"]"; exit 2; }
	$(PY) -m autograder.course.authoring new "$(A)" $(if $(TITLE),--title "$(TITLE)")

check-assignment: ASSIGNMENTS = $(A)
check-assignment: release
	@test -n "$(A)" || { echo "usage: make check-assignment A=<id>"; exit 2; }
	$(PY) -m autograder.course.authoring check "$(A)" --jobs $(JOBS)

# What each bug-zoo entry (one mistake) costs, and why where it is more than a quarter.
.PHONY: zoo-costs
zoo-costs: $(STAMP)
	$(PY) tests/zoo_costs.py $(if $(A),--assignment $(A))

clean:
	rm -rf results dist
