"""The check cells' table as JupyterLab shows it (issue 24, item 2): rendered by headless Chromium
inside JupyterLab's own style sheet (its table rule right-aligns every cell of an HTML output),
with the computed style of every cell read back; `PASS`/`FAIL` in the course's language; and
errors located as README promises ("cell 7 [12]": the cell's place, and the count JupyterLab
shows beside it)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# JupyterLab's CSS as nbconvert's `lab` template ships it (the same rules JupyterLab's front end
# applies to an output: `:not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td {text-align: right}`).
LAB_CSS = Path(sys.prefix) / "share" / "jupyter" / "nbconvert" / "templates" / "lab" / "static" / \
    "index.css"

RESULTS = [
    {"name": "linear/forward_2d", "score": 0.0, "max_score": 1.0, "status": "failed",
     "output": "Check: the forward pass of a 2-D input\nObserved: RuntimeError: mat1 and mat2 "
               "shapes cannot be multiplied (4x3 and 2x3)\nExpected: an output of shape (4, 2)\n"
               "What to change: store the weight as (out_features, in_features).",
     "visibility": "visible", "tags": ["forward"]},
    {"name": "linear/extra_repr", "score": 1.0, "max_score": 1.0, "status": "passed",
     "output": "extra_repr names the sizes and the bias", "visibility": "visible",
     "tags": ["repr"]},
]

# Reads the computed style of every cell of every table into the DOM, which --dump-dom prints.
PROBE = """<script>
window.addEventListener('load', () => {
  const seen = [];
  for (const table of document.querySelectorAll('table')) {
    for (const cell of table.querySelectorAll('td, th')) {
      const style = getComputedStyle(cell);
      seen.push({table: table.id, text: cell.textContent.trim().slice(0, 40),
                 align: style.textAlign, valign: style.verticalAlign});
    }
  }
  const out = document.createElement('pre');
  out.id = 'computed';
  out.textContent = JSON.stringify(seen);
  document.body.appendChild(out);
});
</script>"""


def _chromium() -> str | None:
    for name in ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def _computed(browser: str, page: Path, tmp: Path) -> list[dict]:
    proc = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                           "--no-first-run", f"--user-data-dir={tmp / 'profile'}",
                           "--virtual-time-budget=2000", "--dump-dom", page.as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "</html>" in proc.stdout, proc.stderr[-2000:]
    from bs4 import BeautifulSoup

    computed = BeautifulSoup(proc.stdout, features="html.parser").find(id="computed")
    assert computed is not None, proc.stdout[-2000:]
    return json.loads(computed.get_text())


def _output_area(fragment: str) -> str:
    """`fragment` where JupyterLab puts an HTML output (its classes, as in the lab template)."""
    return ("<div class='jp-Cell jp-CodeCell'><div class='jp-OutputArea'>"
            "<div class='jp-OutputArea-child'><div class='jp-OutputArea-output "
            "jp-RenderedHTMLCommon jp-RenderedHTML' data-mime-type='text/html'>"
            f"{fragment}</div></div></div></div>")


def test_the_table_is_left_aligned_inside_jupyterlabs_style(tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("no Chromium here (apt-get install chromium-headless-shell): the table's "
                    "computed style cannot be read")
    if not LAB_CSS.exists():
        pytest.skip(f"JupyterLab's style sheet is not installed at {LAB_CSS}")
    from autograder.notebook import report_html

    table = report_html(RESULTS, "linear: 1 / 2 points on the public checks")
    assert table.count("<table class='kit-checks'") == 1
    table = table.replace("<table class='kit-checks'", "<table id='kit' class='kit-checks'", 1)
    # The probe: a plain table in the same place is right-aligned (JupyterLab's rule applies,
    # so the test can fail).
    plain = "<table id='plain'><tr><th>a</th><th>b</th></tr><tr><td>x</td><td>y</td></tr></table>"
    page = tmp_path / "cell.html"
    page.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'><title>t</title>"
                    f"<style>{LAB_CSS.read_text(encoding='utf-8')}</style></head>"
                    f"<body class='jp-Notebook'>{_output_area(plain)}{_output_area(table)}"
                    f"{PROBE}</body></html>", encoding="utf-8")
    computed = _computed(browser, page, tmp_path)
    plain_cells = [c for c in computed if c["table"] == "plain"]
    kit_cells = [c for c in computed if c["table"] == "kit"]
    assert plain_cells and {c["align"] for c in plain_cells} == {"right"}, plain_cells
    assert len(kit_cells) == 3 + 3 + 2 + 3, kit_cells   # header, failure + feedback, pass
    assert {c["align"] for c in kit_cells} == {"left"}, kit_cells
    assert {c["valign"] for c in kit_cells} == {"top"}, kit_cells
    assert any(c["text"].startswith("Observed: RuntimeError: mat1") for c in kit_cells)


def test_pass_and_fail_are_in_the_courses_language():
    from autograder.i18n import _, use
    from autograder.notebook import report_html

    english = report_html(RESULTS, "s")
    assert ">FAIL</td>" in english and ">PASS</td>" in english
    with use("zh"):
        chinese = report_html(RESULTS, "s")
        fail, passed = _("FAIL"), _("PASS")
    assert fail != "FAIL" and passed != "PASS", "no Chinese for PASS/FAIL in kit.mo"
    assert f">{fail}</td>" in chinese and f">{passed}</td>" in chinese
    assert ">FAIL<" not in chinese and ">PASS<" not in chinese


SAVED = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
    {"cell_type": "markdown", "id": "a", "metadata": {}, "source": "# Linear"},
    {"cell_type": "code", "id": "b", "metadata": {}, "execution_count": 3, "outputs": [],
     "source": "import torch"},
    {"cell_type": "markdown", "id": "c", "metadata": {}, "source": "Now the layer."},
    {"cell_type": "code", "id": "d", "metadata": {}, "execution_count": 9, "outputs": [],
     "source": ["class A:\n", "    pass\n"]},
    {"cell_type": "code", "id": "e", "metadata": {}, "execution_count": 4, "outputs": [],
     "source": "x = 1"},
    {"cell_type": "code", "id": "f", "metadata": {}, "execution_count": 11, "outputs": [],
     "source": "x = 1"},
]}


def test_cells_are_labelled_by_place_and_count_from_the_saved_notebook():
    from autograder.notebook import cell_labels

    sources = {1: "import torch", 12: "class A:\n    pass\n", 4: "x = 1", 13: "x = 1",
               14: "y = 2", 15: "x = 1\n"}
    labels = cell_labels(SAVED, sources)
    assert labels[1] == "cell 2 [1]"           # 2nd cell from the top, text cells counted
    assert labels[12] == "cell 4 [12]"         # the count the kernel knows, not the saved one
    assert labels[4] == "cell 5 [4]"           # two cells alike: the saved count tells them apart
    assert 13 not in labels and 15 not in labels   # alike, and neither saved with that count
    assert 14 not in labels                    # not in the saved notebook (not saved yet)
    assert cell_labels({"cells": "nonsense"}, sources) == {}


def test_a_kernels_error_names_the_cell_as_readme_says(tmp_path, monkeypatch):
    """In a kernel whose notebook is saved, a check's feedback says "cell 4 [12], line 3"."""
    import linecache

    from autograder.assignments import get
    from autograder.notebook import local_learner
    from autograder.judge_side.runner import run_checks

    notebook = tmp_path / "linear.ipynb"
    source = ("import torch\nclass Linear(torch.nn.Module):\n    def __init__(self, *a, **k):\n"
              "        raise ValueError('broken init')\n")
    saved = json.loads(json.dumps(SAVED))
    saved["cells"][3]["source"] = source
    notebook.write_text(json.dumps(saved))
    # A kernel's namespace as IPython leaves it: In by execution count, and the code compiled
    # under a file name IPython maps to that count (see learner._kernel_cell).
    filename = str(tmp_path / "ipykernel_cell_12.py")
    namespace = {"__name__": "__main__", "__session__": str(notebook),
                 "In": ["", "import torch", *[""] * 10, source]}
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)

    class Compiler:
        _filename_map = {filename: 12}

    class Shell:
        compile = Compiler()

    import autograder.learner_side.evidence as learner_module
    monkeypatch.setattr(learner_module, "_ipython", lambda: Shell())
    results = run_checks(get("linear"), local_learner(namespace), exercise="parameters",
                         visibility="visible")
    failed = [r for r in results if r["status"] == "failed"]
    assert failed
    text = "\n".join(r["output"] for r in failed)
    assert "cell 4 [12], line 4" in text, text
    assert "raise ValueError('broken init')" in text, text   # the line, from the kernel's input
