"""Mutants of an assignment's reference answers: small, plausible mistakes nobody wrote by hand.

Every solution region of a source notebook (the lines between `### BEGIN SOLUTION` and
`### END SOLUTION`) is parsed with libcst, and each operator below proposes small edits of the
nodes that lie inside the region. A mutant is the reference notebook with exactly one edit.

Operators (PyTorch-flavoured ones first):

    transpose      `.T` removed, or added to an operand of `@`
    method         eval()<->train(), modules()<->children(), parameters()<->named_parameters(),
                   sum()<->mean(), zero_()<->fill_(1.0), requires_grad_() argument flipped
    parameter      nn.Parameter(x) -> x
    detach         `.detach()` dropped (`t.detach().clone()` -> `t.clone()`)
    inplace        `a + b`, `a - b`, `a * b`, `a / b` on a name -> `a.add_(b)`, ... (the name changed
                   in place)
    buffer         register_buffer(..., persistent=False)
    drop_last      DataLoader(...) -> DataLoader(..., drop_last=True) (each epoch's partial last
                   batch never trained)
    argument       one argument of a call dropped
    boolean        True<->False (set_to_none, requires_grad, shuffle, bias, ...)
    comparison     > >= < <= == != is / is not, in / not in swapped
    arithmetic     + - * / @ // swapped; augmented assignments too
    constant       integers +-1, floats doubled or zeroed
    statement      a statement dropped (a block left empty gets `pass`)
    swap           two neighbouring statements swapped
    negation       `not` dropped, `and`<->`or`

Each mutant has a stable id (a hash of where and what it changes) that the list of equivalent
mutants (`mutation/equivalent/<id>.txt`) refers to.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

REPO = Path(__file__).resolve().parent.parent
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


@dataclass(frozen=True)
class Mutant:
    id: str
    assignment: str
    cell: int            # index of the cell in the notebook's cell list
    grade_id: str        # nbgrader's id of that cell
    operator: str
    line: int            # 1-based line in the cell
    description: str     # "line 7: `x.T` -> `x`"
    source: str          # the mutated cell's source

    def diff(self, original: str) -> str:
        import difflib

        return "".join(difflib.unified_diff(original.splitlines(True), self.source.splitlines(True),
                                            f"{self.grade_id} (reference)",
                                            f"{self.grade_id} (mutant {self.id})", n=1))


def solution_lines(source: str) -> set[int]:
    """1-based line numbers strictly between the solution markers."""
    inside, lines = False, set()
    for number, line in enumerate(source.splitlines(), start=1):
        if line.strip() == BEGIN:
            inside = True
        elif line.strip() == END:
            inside = False
        elif inside:
            lines.add(number)
    return lines


_SWAP_METHODS = {"eval": "train", "train": "eval", "modules": "children", "children": "modules",
                 "parameters": "named_parameters", "named_parameters": "parameters",
                 "sum": "mean", "mean": "sum", "requires_grad_": None}
_BINARY = {cst.Add: [cst.Subtract], cst.Subtract: [cst.Add], cst.Multiply: [cst.Divide, cst.Add],
           cst.Divide: [cst.Multiply], cst.MatrixMultiply: [cst.Multiply],
           cst.FloorDivide: [cst.Divide], cst.Power: [cst.Multiply]}
_AUGMENTED = {cst.AddAssign: [cst.SubtractAssign], cst.SubtractAssign: [cst.AddAssign],
              cst.MultiplyAssign: [cst.DivideAssign], cst.DivideAssign: [cst.MultiplyAssign]}
_COMPARE = {cst.GreaterThan: [cst.GreaterThanEqual, cst.LessThan],
            cst.GreaterThanEqual: [cst.GreaterThan], cst.LessThan: [cst.LessThanEqual, cst.GreaterThan],
            cst.LessThanEqual: [cst.LessThan], cst.Equal: [cst.NotEqual], cst.NotEqual: [cst.Equal],
            cst.Is: [cst.IsNot], cst.IsNot: [cst.Is], cst.In: [cst.NotIn], cst.NotIn: [cst.In]}
_PASS = cst.SimpleStatementLine([cst.Pass()])
_INPLACE = {cst.Add: "add_", cst.Subtract: "sub_", cst.Multiply: "mul_", cst.Divide: "div_"}


class _Sites(cst.CSTVisitor):
    """Collects (operator, node, replacement, line) inside the solution lines."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, lines: set[int]):
        self.lines = lines
        self.edits: list[tuple[str, cst.CSTNode, object, int]] = []

    def _inside(self, node) -> int | None:
        position = self.get_metadata(PositionProvider, node)
        if all(line in self.lines for line in range(position.start.line, position.end.line + 1)):
            return position.start.line
        return None

    def _add(self, operator, node, replacement):
        line = self._inside(node)
        if line is not None:
            self.edits.append((operator, node, replacement, line))

    # -- expressions ---------------------------------------------------------------------------
    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value == "T":
            self._add("transpose", node, node.value)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        for other in _BINARY.get(type(node.operator), []):
            self._add("arithmetic", node, node.with_changes(operator=other()))
        method = _INPLACE.get(type(node.operator))
        if method and isinstance(node.left, cst.Name) and not node.left.lpar:
            self._add("inplace", node, cst.Call(
                cst.Attribute(node.left, cst.Name(method)), [cst.Arg(node.right)],
                lpar=node.lpar, rpar=node.rpar))
        if isinstance(node.operator, cst.MatrixMultiply):
            for side in ("left", "right"):
                operand = getattr(node, side)
                if isinstance(operand, (cst.Name, cst.Attribute)) and not (
                        isinstance(operand, cst.Attribute) and operand.attr.value == "T"):
                    self._add("transpose", node, node.with_changes(
                        **{side: cst.Attribute(operand, cst.Name("T"))}))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        for other in _AUGMENTED.get(type(node.operator), []):
            self._add("arithmetic", node, node.with_changes(operator=other()))

    def visit_Comparison(self, node: cst.Comparison) -> None:
        for index, target in enumerate(node.comparisons):
            for other in _COMPARE.get(type(target.operator), []):
                changed = list(node.comparisons)
                changed[index] = target.with_changes(operator=other())
                self._add("comparison", node, node.with_changes(comparisons=changed))

    def visit_UnaryOperation(self, node: cst.UnaryOperation) -> None:
        if isinstance(node.operator, cst.Not):
            self._add("negation", node, node.expression)

    def visit_BooleanOperation(self, node: cst.BooleanOperation) -> None:
        other = cst.Or() if isinstance(node.operator, cst.And) else cst.And()
        self._add("negation", node, node.with_changes(operator=other))

    def visit_Name(self, node: cst.Name) -> None:
        if node.value in ("True", "False"):
            self._add("boolean", node, cst.Name("False" if node.value == "True" else "True"))

    def visit_Integer(self, node: cst.Integer) -> None:
        value = int(node.value, 0)
        for changed in {value + 1, value - 1} - {value}:
            if changed >= 0:
                self._add("constant", node, cst.Integer(str(changed)))

    def visit_Float(self, node: cst.Float) -> None:
        value = float(node.value)
        for changed in (value * 2, 0.0):
            if changed != value:
                self._add("constant", node, cst.Float(repr(changed)))

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        name = func.attr.value if isinstance(func, cst.Attribute) else \
            func.value if isinstance(func, cst.Name) else None
        if isinstance(func, cst.Attribute) and name in _SWAP_METHODS and _SWAP_METHODS[name]:
            self._add("method", node, node.with_changes(
                func=func.with_changes(attr=cst.Name(_SWAP_METHODS[name]))))
        if isinstance(func, cst.Attribute) and name == "zero_":
            self._add("method", node, node.with_changes(
                func=func.with_changes(attr=cst.Name("fill_")), args=[cst.Arg(cst.Float("1.0"))]))
        if name == "Parameter" and node.args:
            self._add("parameter", node, node.args[0].value)
        if isinstance(func, cst.Attribute) and name == "detach" and not node.args:
            self._add("detach", node, func.value)
        if name == "register_buffer" and not any(
                a.keyword and a.keyword.value == "persistent" for a in node.args):
            extra = cst.Arg(cst.Name("False"), keyword=cst.Name("persistent"))
            self._add("buffer", node, node.with_changes(args=[*node.args, extra]))
        if name == "DataLoader" and not any(
                a.keyword and a.keyword.value == "drop_last" for a in node.args):
            extra = cst.Arg(cst.Name("True"), keyword=cst.Name("drop_last"),
                            equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                                  whitespace_after=cst.SimpleWhitespace("")))
            self._add("drop_last", node, node.with_changes(args=[*node.args, extra]))
        for index in range(len(node.args)):
            kept = [a for i, a in enumerate(node.args) if i != index]
            if kept:
                kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            self._add("argument", node, node.with_changes(args=kept))

    # -- statements ----------------------------------------------------------------------------
    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        body = list(node.body)
        for index, statement in enumerate(body):
            line = self._inside(statement)
            if line is None:
                continue
            rest = body[:index] + body[index + 1:]
            self.edits.append(("statement", node, node.with_changes(body=rest or [_PASS]), line))
            if index + 1 < len(body) and self._inside(body[index + 1]) is not None:
                swapped = body[:index] + [body[index + 1], statement] + body[index + 2:]
                self.edits.append(("swap", node, node.with_changes(body=swapped), line))


def _description(original: str, mutated: str, line: int, operator: str) -> str:
    """`operator, line N: `old` -> `new``, from the first lines the edit changes."""
    import difflib

    removed, added = [], []
    for row in difflib.ndiff(original.splitlines(), mutated.splitlines()):
        if row.startswith("- ") and row[2:].strip() and not row[2:].strip().startswith("#"):
            removed.append(row[2:].strip())
        elif row.startswith("+ ") and row[2:].strip() and not row[2:].strip().startswith("#"):
            added.append(row[2:].strip())
    old = removed[0] if removed else ""
    new = added[0] if added else "(nothing)"
    if operator == "swap" and len(removed) >= 1:
        return f"swap, line {line}: `{old}` moved after the next statement"
    return f"{operator}, line {line}: `{old}` -> `{new}`"


def cell_mutants(assignment: str, index: int, grade_id: str, source: str) -> list[Mutant]:
    lines = solution_lines(source)
    if not lines:
        return []
    module = cst.parse_module(source)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    sites = _Sites(lines)
    wrapper.visit(sites)
    mutants, seen = [], set()
    for operator, node, replacement, line in sites.edits:
        mutated = module.deep_replace(node, replacement).code
        if mutated == source or mutated in seen:
            continue
        try:
            compile(mutated, "<mutant>", "exec")
        except SyntaxError:
            continue
        seen.add(mutated)
        digest = hashlib.sha1(f"{assignment}\n{grade_id}\n{mutated}".encode()).hexdigest()[:10]
        mutants.append(Mutant(digest, assignment, index, grade_id, operator, line,
                              _description(source, mutated, line, operator), mutated))
    return mutants


def notebook_cells(assignment: str) -> list[dict]:
    path = REPO / "solutions" / assignment / f"{assignment}.ipynb"
    return json.loads(path.read_text())["cells"]


def generate(assignment: str) -> list[Mutant]:
    """Every mutant of the assignment's reference answers, in a stable order."""
    mutants = []
    for index, cell in enumerate(notebook_cells(assignment)):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] == "code" and meta.get("solution"):
            mutants += cell_mutants(assignment, index, meta["grade_id"], "".join(cell["source"]))
    return mutants


_EQUIVALENT_LINE = re.compile(r"^(?P<id>[0-9a-f]{10})\s+(?P<reason>\S.*)$")


def equivalent(assignment: str) -> dict[str, str]:
    """The mutants a reviewer agreed behave like the reference: id -> reason."""
    path = REPO / "mutation" / "equivalent" / f"{assignment}.txt"
    if not path.exists():
        return {}
    found = {}
    for line in path.read_text().splitlines():
        match = _EQUIVALENT_LINE.match(line.strip())
        if match:
            found[match["id"]] = match["reason"]
    return found
