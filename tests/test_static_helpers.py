"""autograder/judge_side/static.py where tests/test_static_scan.py does not look (issue 22,
item 5): the helpers the graders call (definition, member, dotted_names, uses, mentions), cells
Python cannot parse, and the details of `findings`: every rule, the line and cell it names,
comments and the check cells' own lines ignored, one finding per rule and cell."""
from __future__ import annotations

import ast

import pytest

from autograder.judge_side import static

CELLS = {
    3: "import torch\nfrom torch import nn\n",
    5: ("class Linear(nn.Module):\n"
        "    def forward(self, x):\n"
        "        return F.linear(x, self.weight)\n"
        "    def reset_parameters(self):\n"
        "        nn.init.kaiming_uniform_(self.weight)\n"
        "    def forward(self, x):\n"
        "        return x @ self.weight.T\n"),
    9: ("class Linear(nn.Module):\n"
        "    def forward(self, x):\n"
        "        return torch.nn.functional.linear(x, self.weight, self.bias)\n"
        "def helper():\n"
        "    return torch.autograd.grad\n"),
}


# -- the graders' helpers ----------------------------------------------------------------------

def test_definition_is_the_last_top_level_one_in_the_order_cells_run():
    # 9 runs after 5 whichever order the dict lists them in
    node = static.definition({9: CELLS[9], 5: CELLS[5]}, "Linear")
    assert isinstance(node, ast.ClassDef) and node.name == "Linear"
    assert "torch.nn.functional.linear" in static.dotted_names(node)
    assert isinstance(static.definition(CELLS, "helper"), ast.FunctionDef)
    assert static.definition(CELLS, "Missing") is None
    # nested definitions are not the submission's top-level names
    assert static.definition({1: "def outer():\n    class Linear: pass\n"}, "Linear") is None


def test_member_is_the_last_method_of_that_name():
    cls = static.definition({5: CELLS[5]}, "Linear")
    forward = static.member(cls, "forward")
    assert isinstance(forward, ast.FunctionDef) and forward.lineno == 6
    assert static.member(cls, "reset_parameters").lineno == 4
    assert static.member(cls, "backward") is None
    assert static.member(static.definition(CELLS, "helper"), "forward") is None   # not a class
    assert static.member(None, "forward") is None
    async_cls = static.definition({1: "class A:\n    async def step(self): pass\n"}, "A")
    assert isinstance(static.member(async_cls, "step"), ast.AsyncFunctionDef)


def test_dotted_names_lists_every_chain_and_its_last_part():
    node = ast.parse("y = torch.nn.functional.linear(x, w)\nz = F.relu(y) + a.b().c\n")
    names = static.dotted_names(node)
    assert {"torch.nn.functional.linear", "linear", "torch", "F.relu", "relu", "x", "w", "y",
            "z", "F", "a", "a.b", "b", "c"} <= names
    assert static.dotted_names(None) == set()


@pytest.mark.parametrize("code, wanted, found", [
    ("torch.autograd.grad(y, x)", ("autograd.grad",), ["autograd.grad"]),
    ("from torch.autograd import grad\ngrad(y, x)", ("grad",), ["grad"]),
    ("F.linear(x, w)", ("F.linear", "linear", "torch.matmul"), ["F.linear", "linear"]),
    ("mylinear(x)", ("linear",), []),                  # a longer name is not the one wanted
    ("x.nonlinear(y)", ("linear",), []),
    ("Linear.reset_parameters(self)", ("Linear.reset_parameters",), ["Linear.reset_parameters"]),
    ("nn.Linear.reset_parameters(self)", ("Linear.reset_parameters",),
     ["Linear.reset_parameters"]),
])
def test_uses_matches_a_dotted_name_however_it_is_prefixed(code, wanted, found):
    assert static.uses(ast.parse(code), wanted) == found


def test_mentions_reads_comments_and_strings_too():
    sources = {1: "x = 1  # no F.linear here\n", 2: "s = 'torch.addmm'\n"}
    assert static.mentions(sources, ("F.linear", "addmm", "einsum")) == ["F.linear", "addmm"]
    assert static.mentions({}, ("x",)) == []


def test_cells_with_ipython_syntax_are_read_and_unparsable_cells_define_nothing():
    magic = {1: "%matplotlib inline\n!pip list\nclass Linear:\n    pass\n"}
    assert isinstance(static.definition(magic, "Linear"), ast.ClassDef)
    assert static.definition({1: "class Linear(:\n"}, "Linear") is None
    assert static.findings({1: "def (:\n", 2: "x = 1\n"}) == []


# -- findings ----------------------------------------------------------------------------------

# One cell per rule of ENGINE_REACH: code no solution needs.
RULES = {
    "autograder": "from autograder.judge_side import judge\n",
    "gc": "import gc\n",
    "ctypes": "import ctypes\n",
    "sys.modules": "import sys\nm = sys.modules\n",
    "frames": "import sys\nf = sys._getframe(1)\n",
    "dynamic code": "exec('x = 1')\n",
    "builtins": "import builtins\n",
    "dynamic import": "import importlib\n",
    "trace functions": "import sys\nsys.settrace(None)\n",
    "namespace dictionaries": "g = globals()\n",
    "/proc": "open('/proc/self/maps')\n",
    "interpreter internals": "k = f.__globals__\n",
}


def test_every_rule_has_a_case_here():
    assert set(RULES) == set(static.ENGINE_REACH)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_rule_is_found_on_its_line(rule):
    source = "x = 1\n\n" + RULES[rule]
    found = [f for f in static.findings({4: source}) if f["rule"] == rule]
    assert len(found) == 1, static.findings({4: source})
    line = found[0]["line"]
    assert found[0]["cell"] == 4 and line >= 3
    assert found[0]["code"] == source.splitlines()[line - 1].strip()
    assert rule in static.engine_reach({4: source})


def test_the_same_code_in_a_comment_is_not_found():
    commented = "".join(f"# {line}\n" for c in RULES.values() for line in c.splitlines())
    assert static.findings({1: commented}) == []


def test_ordinary_dunders_are_not_interpreter_internals():
    code = ("class A:\n    def __init__(self):\n        super().__init__()\n"
            "    def __repr__(self):\n        return type(self).__name__\n"
            "if __name__ == '__main__':\n    print(A.__doc__, A.__qualname__)\n")
    assert static.findings({1: code}) == []


def test_the_check_cells_own_lines_are_not_found():
    cell = ('from autograder.notebook import check\n'
            'points = check("linear", "forward")\n'
            'points += check("linear", "init", hidden=True, language="zh")\n'
            'points\n')
    assert static.findings({1: cell}) == []
    # ... but the same import among other code is
    assert [f["rule"] for f in static.findings({1: cell + "import autograder.notebook\n"})] == [
        "autograder"]


def test_one_finding_per_rule_and_cell_at_its_first_place():
    found = static.findings({1: "import gc\nimport gc\n", 2: "x = 1\ngc.collect()\n"})
    assert [(f["cell"], f["line"]) for f in found if f["rule"] == "gc"] == [(1, 1), (2, 2)]
    assert static.engine_reach({1: "import gc\nimport ctypes\nimport gc\n"}) == ["gc", "ctypes"]


def test_names_spelled_as_strings_are_found():
    found = static.findings({1: "x = 1\nname = 'f_' + 'back'\n"})
    assert ("names spelled as strings", 2) in [(f["rule"], f["line"]) for f in found]
    found = static.findings({1: "a = 'sys.modules'\n"})
    assert "sys.modules" in [f["rule"] for f in found]
    assert static.findings({1: "label = 'system'\nunit = 'a.sys'\n"}) == []


def test_the_code_shown_is_the_line_shortened():
    long_line = "import gc" + " " * 10 + "; x = " + "1 + " * 100 + "1"
    (found,) = static.findings({1: long_line + "\n"})
    assert found["code"] == long_line[:120] and len(found["code"]) == 120
