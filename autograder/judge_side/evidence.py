"""What learner code raised, as the judge reads it: the evidence the learner side sends
(learner_side/evidence) parsed into plain facts (`Evidence`, `Frame`), and the exceptions the
graders' API raises for it (`LearnerError`, `LearnerGone`, `MissingName`)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from autograder.i18n import _
from autograder.judge_side.checks import CheckFailed
from autograder.judge_side.text import clean
from autograder.wire.protocol import ProtocolError


@dataclass(frozen=True)
class Frame:
    line: int
    function: str
    cell: int | None = None        # engine: position among the notebook's code cells
    execution: int | None = None   # JupyterLab: the cell's execution count [n]
    file: str | None = None        # a module of the learner's own
    label: str | None = None       # engine: how the judge names that cell ("cell 12 [7]")

    def place_of_line(self) -> str:
        """"cell 12 [7], line 3": the cell (or file) and the line."""
        if self.cell is not None:
            where = self.label or _("code cell {number}").format(number=self.cell)
        elif self.execution is not None:
            where = _("cell [{count}]").format(count=self.execution)
        else:
            where = str(self.file)
        return _("{where}, line {line}").format(where=where, line=self.line)

    def place(self) -> str:
        """"cell 12 [7], line 3, in forward"."""
        if self.function == "<module>":
            return self.place_of_line()
        return _("{where}, in {function}").format(where=self.place_of_line(),
                                                   function=self.function)


_FUNCTION = re.compile(r"[\w.<>]{1,80}")


def _frame(raw, labels: dict | None = None) -> Frame:
    if type(raw) is not dict or type(raw.get("line")) is not int:
        raise ProtocolError("a malformed frame")
    function = raw.get("function")
    function = function if type(function) is str and _FUNCTION.fullmatch(function) else "?"
    origins = {k: raw.get(k) for k in ("cell", "execution")}
    if any(v is not None and type(v) is not int for v in origins.values()):
        raise ProtocolError("a malformed frame origin")
    file = raw.get("file")
    return Frame(raw["line"], function, origins["cell"], origins["execution"],
                 clean(file, 80) if type(file) is str else None,
                 (labels or {}).get(origins["cell"]))


@dataclass(frozen=True)
class Evidence:
    """An exception raised by learner code, as facts: type, first line, where."""

    type: str
    message: str
    not_implemented: bool
    frames: tuple[Frame, ...]
    cell: int | None = None    # for a cell that raised while the notebook ran

    @classmethod
    def parse(cls, raw, labels: dict | None = None) -> "Evidence":
        if type(raw) is not dict:
            raise ProtocolError("malformed evidence")
        kind, message = raw.get("type"), raw.get("message")
        frames = raw.get("frames", [])
        if type(kind) is not str or type(message) is not str or type(frames) is not list:
            raise ProtocolError("malformed evidence")
        cell = raw.get("cell")
        return cls(clean(kind, 80) if kind.isidentifier() else "Exception", clean(message, 200),
                   raw.get("not_implemented") is True,
                   tuple(_frame(f, labels) for f in frames[-4:]),
                   cell if type(cell) is int else None)

    @property
    def error(self) -> str:
        return f"{self.type}: {self.message}" if self.message else self.type


class LearnerError(Exception):
    """Learner code raised while a check used it."""

    def __init__(self, evidence: Evidence, action: str):
        super().__init__(evidence.error)
        self.evidence, self.action = evidence, action


class LearnerGone(Exception):
    """The learner process ended, or answered with something that is not well-formed data."""


class MissingName(CheckFailed):
    """The submission does not define a name a check needs."""
