"""The check cells as a learner runs them in JupyterLab: an HTML table (checked by parsing it)
beside the plain-text report, and errors located as JupyterLab shows the cell (cell 7 [12]: its place and its count)."""
from __future__ import annotations

import os
import re
from html.parser import HTMLParser

import pytest

from kit import REPO, code_cell_sources, course_env


class Table(HTMLParser):
    """The rows of the report table: each a list of its cells' text."""

    def __init__(self):
        super().__init__()
        self.rows, self._row, self._cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""
        elif tag == "br" and self._cell is not None:
            self._cell += "\n"

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


BUG = '''
class Linear(Linear):
    def forward(self, x):
        raise ValueError("broken <forward> & co")
'''


@pytest.mark.slow
def test_a_check_cell_shows_a_table_and_names_cells_as_jupyterlab_does(tmp_path):
    import nbformat
    from nbclient import NotebookClient

    sources = code_cell_sources(REPO / "solutions" / "linear" / "linear.ipynb", exercises_only=True)
    cells = [nbformat.v4.new_code_cell(s) for s in sources]
    cells.append(nbformat.v4.new_code_cell(BUG))
    cells.append(nbformat.v4.new_code_cell(
        'from autograder.notebook import check\npoints = check("linear", "forward")\npoints'))
    notebook = nbformat.v4.new_notebook(cells=cells)
    saved_copy = tmp_path / "linear.ipynb"   # the notebook as JupyterLab saved it, before the run
    nbformat.write(notebook, saved_copy)
    env = course_env()
    env["PYTHONPATH"] = str(REPO)
    env["JPY_SESSION_NAME"] = str(saved_copy)   # as the Jupyter server tells the kernel
    saved = dict(os.environ)   # the kernel starts with this process's environment
    os.environ.update(env)
    try:
        NotebookClient(notebook, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(REPO / "assignments" / "linear")}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    outputs = notebook.cells[-1]["outputs"]
    shown = [o for o in outputs if o.get("output_type") == "display_data"]
    assert shown, outputs
    data = shown[0]["data"]
    assert "text/plain" in data and "FAIL" in data["text/plain"]
    table = Table()
    table.feed(data["text/html"])
    assert table.rows[0] == ["status", "check", "points"]
    statuses = {row[1].split()[0]: row[0] for row in table.rows[1:]
                if row and row[0] in ("PASS", "FAIL")}
    assert statuses["linear/forward_2d"] == "FAIL"
    feedback = [row[-1] for row in table.rows if len(row) == 2 and "Observed" in row[-1]]
    assert feedback and "broken <forward> & co" in feedback[0]   # escaped in the HTML, shown as typed
    bug_count = notebook.cells[-2]["execution_count"]
    bug_place = len(notebook.cells) - 1   # the cell's place from the top, as JupyterLab counts
    assert re.search(rf"cell {bug_place} \[{bug_count}\], line \d+, in Linear.forward",
                     feedback[0]), feedback[0]
    assert any(o.get("output_type") == "execute_result" for o in outputs)
