"""The judge process: runs the checks against the learner process, decides every score.

The judge is forked from the warm grading process for one submission. It holds the cells (read
by the grading process from the file, not from the learner side), a socket to the learner
process and a pipe to the grading process. It

1. asks the learner process to run the cells, passing on which cell is running;
2. runs the assignment's pytest checks, public and hidden, with a `client.Learner` over the
   socket as the `submission` fixture: every fact about the learner's code arrives as plain data;
3. streams each check's result to the grading process as it is decided.

It never runs learner code and never decodes anything but plain data (`wire.protocol`). The learner
process never sees this process's memory, its pipe or the graders.
"""
from __future__ import annotations

import ast
import json
import os
import resource
import socket
import struct
import sys
import time

from autograder.judge_side import static
from autograder.assignments import Assignment
from autograder.judge_side.client import Learner
from autograder.judge_side.evidence import Evidence, LearnerGone
from autograder.judge_side.transport import PipeTransport
from autograder.i18n import DEFAULT, _, set_language
from autograder.process import make_undumpable
from autograder.wire.protocol import Channel, ProtocolError
from autograder.wire.cells import Cell
from autograder.config import EVENT_MARGIN, EVENT_MIN_WAIT_S, EVENT_PACE
from autograder.config import JUDGE_MAX_CELL_ERRORS as MAX_CELL_ERRORS
from autograder.config import JUDGE_MAX_REPORT as MAX_REPORT
from autograder.config import JUDGE_MEMORY_BYTES

HEADER = struct.Struct("!I")


def send(fd: int, message: dict) -> None:
    data = json.dumps(message).encode()[:MAX_REPORT]
    view = memoryview(HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


# The judge's own limits (`limit_judge`: JUDGE_MEMORY_BYTES, JUDGE_PROCESSES, and CPU seconds
# beyond the submission's time limit) and the pacing of progress events (EVENT_*) are documented
# in autograder/config.py.


def _vm_bytes() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def limit_judge(cpu_seconds: int, memory_bytes: int = JUDGE_MEMORY_BYTES) -> None:
    """In the forked judge, before it reads anything from the learner side: its address space,
    CPU time, file size and core files are limited (its cgroups, where there are any, are the
    grading process's to set: `grading.session.SubmissionRun`)."""
    for kind, value in ((resource.RLIMIT_AS, _vm_bytes() + memory_bytes),
                        (resource.RLIMIT_CPU, cpu_seconds), (resource.RLIMIT_CORE, 0)):
        try:
            soft, hard = resource.getrlimit(kind)
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(kind, (value, hard))
        except (ValueError, OSError):
            pass


class CellEvents:
    """The learner's progress events, as the judge passes them on: a cell's event only while
    the cells run, each cell once and in order (the stage a time limit names), and excess events
    paced (see EVENT_PACE)."""

    def __init__(self, report, cells: list[Cell]):
        self._report = report
        self._names = {c.index: c.name for c in cells}
        self._free = len(cells) + EVENT_MARGIN
        self._last = -1
        self._cpu = time.process_time()
        self.running = False
        self.received = 0
        self.forwarded = 0

    def __call__(self, event: dict) -> None:
        self.received += 1
        index = event.get("index")
        if (self.running and event.get("event") == "cell" and type(index) is int
                and index in self._names and index > self._last):
            self._last = index
            self.forwarded += 1
            self._report({"type": "cell", "index": index, "name": self._names[index]})
        now = time.process_time()
        if self.received > self._free:
            time.sleep(max(EVENT_MIN_WAIT_S, EVENT_PACE * (now - self._cpu)))
        self._cpu = time.process_time()


def describe_cell_error(evidence: Evidence, cells: dict[int, str],
                        labels: dict[int, str] | None = None) -> dict:
    """A cell that raised, for the result's summary: where (with the judge's copy of the
    line) and what."""
    labels = labels or {}

    def name(cell: int) -> str:
        return labels.get(cell) or _("code cell {number}").format(number=cell)

    where = name(evidence.cell)
    head = first_line(cells.get(evidence.cell, ""))
    if head:
        where += f" (`{head}`)"
    inner = [f for f in evidence.frames if f.cell is not None]
    if inner:
        last = inner[-1]
        if last.cell == evidence.cell:
            where += _(", line {line}").format(line=last.line)
        else:
            where += _(", raised at {cell}, line {line}").format(cell=name(last.cell),
                                                                 line=last.line)
        if last.function != "<module>":
            where += _(" in {function}").format(function=last.function)
    return {"cell": evidence.cell, "where": where, "error": evidence.error}


def readable(source: str) -> bool:
    """Whether Python's parser can read `source` at all: a syntax error is an ordinary
    mistake (the cell runs and raises), code nested too deeply for the parser is not."""
    try:
        ast.parse(source)
    except (RecursionError, MemoryError):   # the parser's own depth limits
        return False
    except (SyntaxError, ValueError):
        return True
    return True


def describe_too_deep(cell: Cell) -> dict:
    """A cell that could not be read, as a cell error of the notebook's."""
    head = first_line(cell.source)
    return {"cell": cell.index, "where": cell.name + (f" (`{head}`)" if head else ""),
            "error": _("the cell is nested too deeply to read (expressions inside one another, "
                       "thousands of levels deep), so it was not run; write it as ordinary "
                       "code")}


def first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return line.strip()[:60]
    return ""


def judge_main(sock: socket.socket, report_fd: int, cells: list[Cell],
               assignment: Assignment, language: str = DEFAULT,
               kit_cells: set[str] | None = None) -> None:
    """Runs in the forked judge; never returns. Words its feedback in `language`. `kit_cells`:
    the sources of the released cells (`assignment.released_cells()`), when the grading process
    has read them already."""
    from autograder.judge_side.runner import GraderError, run_checks

    def report(message: dict) -> None:
        send(report_fd, message)

    try:
        make_undumpable()
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        set_language(language)
        sys.path.insert(0, str(assignment.helper_dir))    # the kit's own helper modules
        channel = Channel(sock)
        events = CellEvents(report, cells)
        transport = PipeTransport(channel, on_event=events)
        sources = {c.index: c.source for c in cells}
        # A cell nested too deeply for Python's parser (100,000 unary minuses) was broken on
        # purpose: it is not run (what cannot be read is neither scanned nor credited), and the
        # result says it is the notebook's; the other cells run as usual.
        too_deep = [describe_too_deep(c) for c in cells if not readable(c.source)]
        if too_deep:
            cells = [c for c in cells if c.index not in {e["cell"] for e in too_deep}]
            sources = {c.index: c.source for c in cells}
        names_of_cells = {c.index: c.name for c in cells}
        # Code that reaches into the interpreter or the engine is flagged for the instructor
        # (the result's extra_data.flags); it costs no point: every check rests on what the
        # judge verified itself. The kit's own cells (as released) are not read.
        if kit_cells is None:
            kit_cells = assignment.released_cells()
        found = static.findings({i: s for i, s in sources.items()
                                 if s.strip() not in kit_cells})
        if found:
            for finding in found:   # the cell as feedback names it ("cell 12 [7]")
                finding["where"] = names_of_cells.get(finding["cell"], "?")
            report({"type": "tampering", "uses": list(dict.fromkeys(f["rule"] for f in found)),
                    "findings": found[:30]})
        started = time.perf_counter()
        events.running = True
        answer = transport.request({"op": "run_cells",
                                    "cells": [[c.index, c.source, c.ipython] for c in cells]})
        events.running = False
        if type(answer) is not dict or type(answer.get("errors")) is not list:
            raise LearnerGone("the learner process did not report on its cells")
        errors = []
        labels = {c.index: c.name for c in cells}
        for raw in answer["errors"][:len(cells)]:
            evidence = Evidence.parse(raw, labels)
            if evidence.cell in sources:
                errors.append(evidence)
        # The first cells that raised, and how many did: a report of every one of 100,000
        # raising cells would not fit in one message. (How many is the learner side's word,
        # held between what it described and how many cells ran: it changes no score.)
        raised = answer.get("raised")
        raised = raised if type(raised) is int and len(errors) <= raised <= len(cells) \
            else len(errors)
        report({"type": "cells_done", "seconds": time.perf_counter() - started,
                "errors": (too_deep + [describe_cell_error(e, sources, labels)
                                       for e in errors])[:MAX_CELL_ERRORS],
                "raised": raised + len(too_deep)})
        learner = Learner(transport, sources=sources, cell_errors=tuple(errors), labels=labels)
        in_checks = [0.0, 0.0]

        def on_start(name):
            in_checks[0] = time.perf_counter()
            report({"type": "check_start", "name": name})

        def on_result(result):
            in_checks[1] += time.perf_counter() - in_checks[0]
            report({"type": "check", "result": result, "seconds": in_checks[1]})

        def on_gone(check, reason):
            report({"type": "learner_gone", "check": check, "reason": reason})

        try:
            run_checks(assignment, learner, on_start=on_start, on_result=on_result,
                       on_gone=on_gone)
        except GraderError as exc:
            report({"type": "grader_error", "message": str(exc)})
        report({"type": "done"})
    except (LearnerGone, ProtocolError) as exc:
        try:
            report({"type": "learner_gone", "check": None, "reason": str(exc)[:200]})
        except BaseException:  # noqa: BLE001 - the report socket gone too: still os._exit
            pass
    except BaseException as exc:  # noqa: BLE001 - the judge must always reach os._exit
        try:
            report({"type": "grader_error", "message": f"{type(exc).__name__}: {exc}"[:2000]})
        except BaseException:  # noqa: BLE001 - the report socket gone too: still os._exit
            pass
    finally:
        os._exit(0)
