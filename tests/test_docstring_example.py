"""The example check in autograder/judge_side/checks.py's docstring, the first code a grader
author reads, runs against today's `client.Learner` API: it passes on a correct Linear and fails,
saying what it observed, on one whose weight is a plain tensor or whose forward forgets `.T`.

The learner side is a `LearnerServer` in this process behind a `LocalTransport` (the notebook's
check cells work this way), so no sandbox starts: a second or two after torch is imported."""
from __future__ import annotations

import re
import textwrap

import pytest

from autograder.judge_side import checks
from autograder.judge_side.checks import CheckFailed
from autograder.judge_side.client import Learner, LocalTransport, MissingName
from autograder.learner_side.execution import new_namespace
from autograder.learner_side.server import LearnerServer

HONEST = """
import math
import torch
from torch import nn

class Linear(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        self.bias = nn.Parameter(torch.empty(out_features))
        bound = 1 / math.sqrt(in_features)
        nn.init.uniform_(self.weight, -bound, bound)
        nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x):
        return x @ self.weight.T + self.bias
"""

PLAIN_WEIGHT = HONEST.replace("self.weight = nn.Parameter(torch.empty(out_features, in_features))",
                              "self.weight = torch.empty(out_features, in_features)")
NO_TRANSPOSE = HONEST.replace("self.weight = nn.Parameter(torch.empty(out_features, in_features))",
                              "self.weight = nn.Parameter(torch.empty(in_features, out_features))"
                              ).replace("x @ self.weight.T", "x @ self.weight")


def example_check():
    """The indented code block of checks.py's docstring, defined as a module would define it."""
    doc = checks.__doc__
    block = re.search(r"\n\n((?:    .*\n|\n)+)", doc)
    assert block and "@check(" in block.group(1), "checks.py's docstring has no example block"
    namespace: dict = {}
    exec(compile(textwrap.dedent(block.group(1)), "checks.py docstring", "exec"), namespace)
    tests = [v for k, v in namespace.items() if k.startswith("test_") and callable(v)]
    assert len(tests) == 1 and hasattr(tests[0], "__check__"), tests
    return tests[0]


def learner(source: str) -> Learner:
    namespace = new_namespace()
    if source:
        exec(compile(source, "submission", "exec"), namespace)
    return Learner(LocalTransport(LearnerServer(namespace)))


def test_the_example_passes_on_a_correct_layer():
    example_check()(learner(HONEST))


@pytest.mark.parametrize("source, observed", [
    (PLAIN_WEIGHT, "named_parameters() lists ['bias']"),
    (NO_TRANSPOSE, "weight has shape (3, 2)"),
])
def test_the_example_fails_with_what_it_observed(source, observed):
    with pytest.raises(CheckFailed) as failure:
        example_check()(learner(source))
    assert failure.value.observed == observed


def test_a_notebook_without_the_class_is_told_so():
    with pytest.raises(MissingName, match="Linear"):
        example_check()(learner(""))
