"""The graded test cells' entry point: run one exercise's checks on the learner's kernel namespace.

A test cell of a source notebook reads

    from autograder.notebook import check
    points = check("linear", "parameters")
    ### BEGIN HIDDEN TESTS
    points += check("linear", "parameters", hidden=True)
    ### END HIDDEN TESTS
    points

Under JupyterLab the learner sees a report of the public checks and their points. Under
nbgrader's autograde the cell's last value is the points earned, which nbgrader takes as the
cell's partial credit. Nothing is written to stderr (nbgrader gives 0 to a test cell that does),
and the value is always a float between 0 and the cell's points.
"""
from __future__ import annotations

import contextlib
import html
import io
import json
import os
import sys
import warnings

from autograder import assignments, config
from autograder.judge_side.client import Learner, LocalTransport
from autograder.i18n import _, use, valid
from autograder.learner_side.server import LearnerServer
from autograder.reports.report import description_of, format_check, split_feedback, valid_text
from autograder.judge_side.runner import run_checks

# Set by the engine in its sandbox, which runs the checks itself after the cells.
ENGINE_ENV = config.ENGINE_ENV


def _learner_namespace() -> dict:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        get_ipython = None
    shell = get_ipython() if get_ipython else None
    if shell is not None:
        return shell.user_ns
    return vars(sys.modules["__main__"])


MAX_NOTEBOOK_BYTES = config.MAX_NOTEBOOK_BYTES


def _notebook_path(namespace: dict) -> str | None:
    """The notebook this kernel runs, as the Jupyter server told it (`__session__`, from
    JPY_SESSION_NAME: the notebook's path when JupyterLab started the kernel)."""
    for candidate in (namespace.get("__session__"), config.jupyter_session_name()):
        if isinstance(candidate, str) and candidate.endswith(".ipynb") and \
                os.path.isfile(candidate):
            return candidate
    return None


def cell_labels(notebook: dict, sources: dict[int, str]) -> dict[int, str]:
    """"cell 7 [12]" for each execution count whose input is a code cell of the saved
    `notebook`: 7 its place from the top (text cells included), 12 the count, as JupyterLab
    shows them. A count whose input matches no saved cell, or several, gets no label (the
    report then says "cell [12]"): the notebook on disk may be older than the kernel."""
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        return {}
    by_source: dict[str, list[tuple[int, object]]] = {}
    for position, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if isinstance(source, str):   # compared stripped: IPython drops leading blank lines
            by_source.setdefault(source.strip(), []).append(
                (position, cell.get("execution_count")))
    labels = {}
    for count, source in sources.items():
        found = by_source.get(source.strip(), [])
        exact = [position for position, saved in found if saved == count]
        places = exact or [position for position, _saved in found]
        if len(places) == 1:
            labels[count] = _("cell {number}").format(number=places[0]) + f" [{count}]"
    return labels


def _saved_notebook(namespace: dict) -> dict:
    path = _notebook_path(namespace)
    if path is None:
        return {}
    try:
        if os.path.getsize(path) > MAX_NOTEBOOK_BYTES:
            return {}
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError, RecursionError):
        return {}


class KernelTransport(LocalTransport):
    """A `LocalTransport` whose error answers name a cell the saved notebook knows by its
    label ("cell 7 [12]"): a frame of execution count n gets cell n, which `Learner.labels`
    and `Learner.sources` are keyed by in the kernel."""

    def __init__(self, server, labels: dict[int, str]):
        super().__init__(server)
        self.labels = labels

    def request(self, message: dict):
        answer = super().request(message)
        error = answer.get("error") if type(answer) is dict else None
        frames = error.get("frames") if type(error) is dict else None
        if type(frames) is list:
            for frame in frames:
                if type(frame) is dict and frame.get("cell") is None and \
                        frame.get("execution") in self.labels:
                    frame["cell"] = frame["execution"]
        return answer


def local_learner(namespace: dict) -> Learner:
    """The graders' view of this kernel's namespace: the same requests as under the engine,
    answered in this process (no boundary: the learner's code here can reach the checks).
    The cells' sources are the kernel's input history, by execution count; a cell the saved
    notebook holds is named as JupyterLab shows it ("cell 7 [12]", see `cell_labels`)."""
    history = namespace.get("In")
    sources = ({n: s for n, s in enumerate(history) if isinstance(s, str)}
               if isinstance(history, list) else {})
    labels = cell_labels(_saved_notebook(namespace), sources)
    return Learner(KernelTransport(LearnerServer(namespace), labels), sources=sources,
                   labels=labels)


@contextlib.contextmanager
def _no_stderr():
    """Discard whatever the checks and the learner's code they call write to stderr.

    A kernel's stderr is reached three ways, and nbgrader zeroes a test cell for any of them:
    `sys.stderr` (print, warnings), the stream object a handler kept before this cell ran
    (`logging.basicConfig()` in an earlier cell), and file descriptor 2 (C++ code, `os.write`),
    which ipykernel forwards to the cell's output.
    """
    stream = sys.stderr
    patched = []
    for method in ("write", "writelines", "flush"):
        try:
            setattr(stream, method, (lambda *args, **kwargs: None))
            patched.append(method)
        except (AttributeError, TypeError):  # a stream that does not take instance attributes
            pass
    saved_fd = None
    try:
        sys.__stderr__.flush()
        saved_fd = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except (AttributeError, OSError, ValueError):  # no fd 2 to redirect (embedded interpreters)
        saved_fd = None
    try:
        with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        if saved_fd is not None:
            os.dup2(saved_fd, 2)
            os.close(saved_fd)
        for method in patched:
            try:
                delattr(stream, method)
            except AttributeError:
                pass


def check(assignment_id: str, exercise: str, hidden: bool = False,
          language: str | None = None) -> float:
    """Run the visible (or hidden) checks of one exercise; show them; return the points earned.

    In JupyterLab the report is a table (status, check, points, and under a failure what was
    observed, what was expected, what to change); wherever HTML cannot be shown (a terminal,
    nbgrader's text outputs) the same report is plain text. `language` is the notebook's (a
    release in another language than English passes it: see translation.py)."""
    if config.engine_running():
        return 0.0
    assignment = assignments.get(assignment_id)
    visibility = "hidden" if hidden else "visible"
    with use(valid(language)):
        with _no_stderr():
            results = run_checks(assignment, local_learner(_learner_namespace()),
                                 exercise=exercise, visibility=visibility)
        earned = float(sum(r["score"] for r in results))
        total = float(sum(r["max_score"] for r in results))
        summary = (_("{exercise}: {earned:g} / {total:g} points on the hidden checks") if hidden
                   else _("{exercise}: {earned:g} / {total:g} points on the public checks")
                   ).format(exercise=exercise, earned=earned, total=total)
        if not results:
            text = "" if hidden else _("(no public checks for {exercise})").format(exercise=exercise)
        else:
            text = valid_text("\n".join([*(format_check(r) for r in results), summary]))
        if text:
            _show(text, report_html(results, summary) if results else None)
    return earned



def _show(text: str, html: str | None) -> None:
    """The report as HTML where the front end shows HTML, as text everywhere else."""
    try:
        from IPython import get_ipython
        from IPython.display import display

        if html is not None and get_ipython() is not None and \
                getattr(get_ipython(), "kernel", None) is not None:
            display({"text/plain": text, "text/html": html}, raw=True)
            return
    except ImportError:  # pragma: no cover - IPython is a dependency
        pass
    print(text)


# JupyterLab's own rule for an HTML output's cells (`:not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon
# td {text-align: right}`, specificity 0,2,1) outranks a plain `.kit-checks td`: the selectors here
# are more specific (table.kit-checks.kit-checks td: 0,2,2), and each cell also carries its
# alignment inline (CELL), which no style sheet rule without !important outranks.
_STYLE = ("<style>table.kit-checks.kit-checks{border-collapse:collapse;font-family:"
          "var(--jp-ui-font-family,sans-serif);font-size:13px;width:100%;table-layout:auto}"
          "table.kit-checks.kit-checks td,table.kit-checks.kit-checks th{border:none;"
          "border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top;"
          "line-height:1.4;white-space:normal}table.kit-checks.kit-checks tr{background:none}"
          "table.kit-checks.kit-checks td.pass{color:#1a7f37;font-weight:bold;"
          "white-space:nowrap}table.kit-checks.kit-checks td.fail{color:#cf222e;"
          "font-weight:bold;white-space:nowrap}table.kit-checks.kit-checks td.points{"
          "white-space:nowrap}table.kit-checks.kit-checks div.feedback{white-space:pre-wrap;"
          "word-break:normal;overflow-wrap:break-word;text-align:left;"
          "font-family:var(--jp-code-font-family,monospace);font-size:12px;background:#f6f8fa;"
          "padding:6px}</style>")
CELL = "style='text-align:left;vertical-align:top'"


def report_html(results: list[dict], summary: str) -> str:
    """One table per check cell: status, check, points, and the feedback of a failure (every
    text escaped, never markup: feedback quotes the learner's own values and messages, which
    may hold `<script>` or `<img onerror=...>`; text that is not valid Unicode replaced, so the
    kernel can always send it). A fragment shown inside JupyterLab, which sanitises it again."""
    rows = []
    for result in results:
        passed = result["status"] == "passed"
        name = html.escape(result["name"])
        points = html.escape(f"{result['score']:g}/{result['max_score']:g}")
        output = result["output"]
        if passed:
            description, feedback = output, ""
        else:
            head, feedback = split_feedback(output)
            description = description_of(head)
        mark = html.escape(_("PASS") if passed else _("FAIL"))
        row = (f"<tr><td class='{'pass' if passed else 'fail'}' {CELL}>{mark}</td>"
               f"<td {CELL}><code>{name}</code><br>{html.escape(description)}</td>"
               f"<td class='points' {CELL}>{points}</td></tr>")
        if feedback:
            row += (f"<tr><td {CELL}></td><td colspan='2' {CELL}><div class='feedback'>"
                    f"{html.escape(feedback)}</div></td></tr>")
        rows.append(row)
    return valid_text(
        f"{_STYLE}<table class='kit-checks'><tr><th {CELL}>{html.escape(_('status'))}</th>"
        f"<th {CELL}>{html.escape(_('check'))}</th><th {CELL}>{html.escape(_('points'))}</th></tr>"
        f"{''.join(rows)}</table><p><b>{html.escape(summary)}</b></p>")
