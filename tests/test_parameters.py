"""Proof of the `parameters` graders: the tests are the shared ones of proof.py, and a proof that
no check believes what the learner side says about itself (issue 19).

The hostile cases `tests/hostile/parameters_*.py` hold wrong code (every registration wrong),
then, in a later cell, a lie about it: forged descriptions through the learner server's module
globals, nn.Parameter subclasses whose requires_grad says the opposite of what autograd does,
modules whose parameters()/named_parameters()/state_dict() list plain tensors. Here each is
graded twice in one process, without the engine (so without its static scan): its honest
content (the cells before the lie) and the whole file. No check may pass on the lie that fails
on the honest content.
"""
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from kit import REPO, TESTS, code_cell_sources, percent_cells
from proof import *  # noqa: F403 - collected here for this module's assignment

ASSIGNMENT = "parameters"

LYING_CASES = ("parameters_forged_registration_reports", "parameters_parameter_subclass_flags",
               "parameters_lying_parameters_method")

# Grades a list of cell sources with the checks in this very process (as a notebook's check
# cells do, through the same requests), for the honest content first and then for the whole
# submission: the lie patches this process, so it must come last.
GRADE_IN_PROCESS = r"""
import json, sys
from autograder import assignments
from autograder.judge_side.client import Learner, LocalTransport
from autograder.learner_side.execution import new_namespace, run_cells
from autograder.learner_side.server import LearnerServer
from autograder.judge_side.runner import run_checks
from autograder.wire.cells import Cell

def grade(sources):
    namespace = new_namespace()
    run_cells([Cell(i + 1, s, False) for i, s in enumerate(sources)], namespace)
    learner = Learner(LocalTransport(LearnerServer(namespace)),
                      sources={i + 1: s for i, s in enumerate(sources)})
    return {r["name"]: r["score"] for r in run_checks(assignments.get("parameters"), learner)}

honest, whole = json.loads(sys.stdin.read())
print(json.dumps({"honest": grade(honest), "lying": grade(whole)}))
"""


def _grade_case(case: str) -> dict:
    stub = code_cell_sources(REPO / "assignments" / "parameters" / "parameters.ipynb")
    cells = percent_cells((TESTS / "hostile" / f"{case}.py").read_text())
    lie = next(i for i, c in enumerate(cells) if c.lstrip().startswith("# forgery"))
    proc = subprocess.run([sys.executable, "-c", GRADE_IN_PROCESS], cwd=REPO, text=True,
                          capture_output=True, timeout=600,
                          input=json.dumps([stub + cells[:lie], stub + cells]))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def lying_graded():
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(LYING_CASES, pool.map(_grade_case, LYING_CASES)))


@pytest.mark.parametrize("case", LYING_CASES)
def test_a_lie_earns_nothing_beyond_its_honest_content(lying_graded, case):
    honest, lying = lying_graded[case]["honest"], lying_graded[case]["lying"]
    assert set(honest) == set(lying) and len(honest) >= 29
    # The honest content is wrong: there is something to lie about.
    assert sum(honest.values()) < 30, honest
    gained = {name: (honest[name], score) for name, score in lying.items()
              if score > honest[name]}
    assert not gained, gained
