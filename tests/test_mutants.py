"""The graders against mistakes nobody wrote by hand: a sample of mutants of each reference answer.

`make mutants` grades every mutant (a few minutes); this test grades a fixed sample of each
assignment's mutants (see mutation/run.py `sample`) and fails on any that survives without being
listed, with a reason, in mutation/equivalent/<id>.txt, and on any listed one that is killed.
"""
from __future__ import annotations

import sys

import pytest

from kit import REPO

sys.path.insert(0, str(REPO / "mutation"))

import mutants as mutation
import run as mutation_run

SAMPLE = 16


def test_every_operator_finds_sites_and_ids_are_stable():
    for assignment in mutation_run.ASSIGNMENTS:
        first = mutation.generate(assignment)
        assert [m.id for m in first] == [m.id for m in mutation.generate(assignment)]
        assert len({m.id for m in first}) == len(first)
        assert len(first) >= 60
    operators = {m.operator for a in mutation_run.ASSIGNMENTS for m in mutation.generate(a)}
    assert {"transpose", "method", "parameter", "buffer", "argument", "boolean", "comparison",
            "arithmetic", "constant", "statement", "swap"} <= operators


def test_equivalent_mutants_are_listed_with_a_reason():
    for assignment in mutation_run.ASSIGNMENTS:
        ids = {m.id for m in mutation.generate(assignment)}
        for mutant_id, reason in mutation.equivalent(assignment).items():
            assert mutant_id in ids, f"{assignment}: {mutant_id} is no longer a mutant"
            assert len(reason) >= 15, f"{assignment}: {mutant_id} needs a reason a reviewer can check"


@pytest.fixture(scope="module")
def sampled(tmp_path_factory):
    chosen = [m for a in mutation_run.ASSIGNMENTS
              for m in mutation_run.sample(mutation.generate(a), SAMPLE)]
    return chosen, mutation_run.grade(chosen, jobs=2, time_limit=60)


def test_no_sampled_mutant_survives(sampled):
    chosen, results = sampled
    problems = []
    for mutant in chosen:
        listed = mutation.equivalent(mutant.assignment)
        status = mutation_run.classify(mutant, results[mutant.id], listed)
        if status in ("survived", "stale"):
            problems.append(f"{status}: {mutant.assignment} {mutant.id} {mutant.description}")
    assert not problems, "\n".join(problems)
