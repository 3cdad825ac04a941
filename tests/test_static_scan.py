"""The static scan (autograder/judge_side/static.py) flags code that reaches into the interpreter or the
engine, for the instructor only, and never ordinary Python (issue 19): names from literals in
getattr/setattr, class attributes copied from torch.nn, the notebooks' own idioms."""
from __future__ import annotations

import time

import pytest

from autograder.judge_side import static

ORDINARY = {
    "getattr over a literal tuple": 'for name in ("weight", "bias"):\n    getattr(m, name)\n',
    "setattr over a named list": 'names = ["weight", "bias"]\nfor n in names:\n    setattr(m, n, 1)\n',
    "a comprehension": 'd = {n: getattr(m, n).dtype for n in ("saved", "cache")}\n',
    "a name bound to a string": 'attr = "weight"\ngetattr(m, attr)\n',
    "nn.Linear's class layout": ('class Linear:\n    __constants__ = ["in_features", "out_features"]\n'
                                 '    in_features: int\n'),
    "the freeze notebook's idiom": ('for name in ("backbone", "head"):\n'
                                    '    part = getattr(model, name)\n'),
}
REACHING = {
    "a frame attribute by a literal name": ('for n in ("f_globals",):\n    getattr(x, n)\n',
                                            "frames"),
    "a name read at run time": ('n = input()\ngetattr(x, n)\n', "attributes named at run time"),
    "a parameter as the name": ('def f(n):\n    return getattr(x, n)\n',
                                "attributes named at run time"),
    "a name a later cell rebinds": (None, "attributes named at run time"),
    "the engine by a joined string": ('a = "auto" + "grader"\n', "autograder"),
    "sys.modules": ('import sys\nsys.modules["x"]\n', "sys.modules"),
}


@pytest.mark.parametrize("case", ORDINARY)
def test_ordinary_python_is_never_flagged(case):
    assert static.findings({1: ORDINARY[case]}) == []


@pytest.mark.parametrize("case", REACHING)
def test_reaching_in_is_flagged_with_its_line(case):
    source, rule = REACHING[case]
    sources = ({1: 'for n in ("weight",):\n    pass\ndef g():\n    return getattr(x, n)\n',
                2: 'n = "f_" + "back"\n'} if source is None else {1: source})
    found = [f for f in static.findings(sources) if f["rule"] == rule]
    assert found, static.findings(sources)
    cell = sources[found[0]["cell"]].splitlines()
    assert cell[found[0]["line"] - 1].strip() == found[0]["code"]


def test_a_20_mb_cell_is_scanned_in_seconds():
    cell = 'PASTED = "' + "QUJD" * (5 << 20) + '"\nprint(len(PASTED))\n'
    start = time.process_time()
    assert static.findings({1: cell}) == []
    # CPU seconds (load does not stretch them): about 8 before the anchors, under 1 after.
    assert time.process_time() - start < 4


def test_every_rule_has_anchors():
    assert set(static._ANCHORS) == set(static.ENGINE_REACH)
