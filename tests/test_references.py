"""References computed once per class (judge_side.references, issue 28).

- A class graded with the cache warm and one graded with it off give the same verdicts, check
  by check, for the reference solution and for wrong fits (in process: the notebook's
  LocalTransport path, so no sandbox starts).
- The store itself: computed once, a digest that tells every input apart, a model handed out as
  a copy with torch's generator left as an uncached build leaves it.
- No learner process holds the cache: the grading process fills it (after the zygote's fork)
  and a submission looking for it, by module and by scanning every object it can reach, finds
  nothing.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import torch

from autograder import assignments
from autograder.judge_side import references
from autograder.judge_side.client import Learner, LocalTransport, reference_model
from autograder.learner_side.execution import new_namespace
from autograder.learner_side.server import LearnerServer
from autograder.judge_side.runner import run_checks
from kit import REPO, code_cell_sources, zoo_entries, zoo_sources


def test_per_class_computes_once_and_disabled_computes_each_time():
    calls = []
    key = ("test", object())

    def build():
        calls.append(1)
        return [len(calls)]

    assert references.per_class(key, build) is references.per_class(key, build)
    assert len(calls) == 1
    with references.disabled():
        assert references.per_class(("test-off", 1), build) == [2]
        assert references.per_class(("test-off", 1), build) == [3]
    assert ("test-off", 1) not in references._cache


@pytest.mark.parametrize("other", [
    torch.tensor([1.0, 2.0], dtype=torch.float64),   # dtype
    torch.tensor([[1.0, 2.0]]),                       # shape
    torch.tensor([1.0, 2.5]),                         # a value
    torch.tensor([-0.0, 2.0]),                        # bytes, not ==
])
def test_digest_tells_inputs_apart(other):
    base = torch.tensor([0.0, 2.0])
    assert references.digest({"w": base}) == references.digest({"w": base.clone()})
    assert references.digest({"w": base}) != references.digest({"w": other})
    assert references.digest(torch.tensor(3)) != references.digest(torch.tensor(4))   # 0-dim
    assert references.digest({"a": 1}, [0, 1]) != references.digest({"a": 1}, [1, 0])


def test_reference_model_is_a_copy_and_leaves_the_generator_as_a_build_does():
    spec = {"class": "Linear", "args": [4, 3]}
    with references.disabled():
        fresh = reference_model(spec, seed=5)
        after_fresh = torch.rand(3)
    first, second = reference_model(spec, seed=5), reference_model(spec, seed=5)
    after_cached = torch.rand(3)
    assert first is not second and first.weight is not second.weight
    for model in (first, second):
        assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(),
                                                      fresh.state_dict().values()))
    assert torch.equal(after_fresh, after_cached)
    with torch.no_grad():
        first.weight.add_(1)   # a check changing its copy leaves the next one alone
    assert torch.equal(reference_model(spec, seed=5).weight, fresh.weight)


def _checks(assignment, source_cells: list[str]) -> list[dict]:
    namespace = new_namespace()
    for source in source_cells:
        try:
            exec(compile(source, "cell", "exec"), namespace)
        except Exception:  # noqa: BLE001 - a demonstration cell; the checks judge the rest
            pass
    results = run_checks(assignment, Learner(LocalTransport(LearnerServer(namespace))))
    return [{k: v for k, v in r.items() if k != "execution_time"} for r in results]


@pytest.fixture()
def freeze_cwd(monkeypatch):
    assignment = assignments.get("freeze")
    monkeypatch.chdir(assignment.helper_dir)
    monkeypatch.syspath_prepend(str(assignment.helper_dir))
    return assignment


def test_cached_and_uncached_class_give_identical_verdicts(freeze_cwd):
    assignment = freeze_cwd
    reference = REPO / "solutions" / "freeze" / "freeze.ipynb"
    wrong = {e.id: e for e in zoo_entries("freeze")}
    cells = {"reference": code_cell_sources(reference),
             **{name: zoo_sources(wrong[name], reference)
                for name in ("fit_drop_last",)}}
    with references.disabled():
        uncached = {name: _checks(assignment, c) for name, c in cells.items()}
    references.clear()
    assert references.warm([assignment]) == ["freeze"]
    warmed = dict(references._cache)
    cached = {name: _checks(assignment, c) for name, c in cells.items()}
    assert references.stats["hits"] > 0
    # The warm values were used as they were (nothing a class computed changed them).
    assert all(references._cache[k] is v for k, v in warmed.items())
    for name in cells:
        assert cached[name] == uncached[name], name
    assert sum(r["score"] for r in cached["reference"]) == sum(
        r["max_score"] for r in cached["reference"])
    assert sum(r["score"] for r in cached["fit_drop_last"]) < sum(
        r["max_score"] for r in cached["fit_drop_last"])


PROBE = r'''
import gc, sys
_keys = [k for o in gc.get_objects() if isinstance(o, dict)
         for k in list(o)[:50] if isinstance(k, tuple) and k[:1] == ("freeze:start",)]
raise RuntimeError("PROBE %s %d" % ("autograder.judge_side.references" in sys.modules, len(_keys)))
'''

SESSION = r"""
import json, sys
from autograder import assignments
from autograder.grading.session import Limits, Session
from autograder.wire.cells import Cell
assert "autograder.judge_side.references" not in sys.modules   # as in `grade`: not before the zygote

freeze = assignments.get("freeze")
found = {}
with Session([freeze]) as session:
    session.run([(0, lambda: [Cell(index=1, source=sys.argv[1], ipython=False)], freeze)], Limits(60, 1024),
                on_done=lambda key, report: found.__setitem__(key, report))
report = found[0]
references = sys.modules["autograder.judge_side.references"]   # imported by the warm-up
print(json.dumps({"warm": [k for k in references._cache if isinstance(k, tuple)
                           and k[:1] == ("freeze:start",)] != [],
                  "errors": [json.dumps(e) for e in report.cell_errors],
                  "problem": report.problem}))
"""


def test_no_learner_process_holds_the_cache():
    proc = subprocess.run([sys.executable, "-c", SESSION, PROBE], cwd=REPO, text=True,
                          capture_output=True, timeout=600, env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    assert found["warm"], "the grading process did not fill the cache before the judge forked"
    errors = " ".join(found["errors"])
    assert "PROBE False 0" in errors, found
