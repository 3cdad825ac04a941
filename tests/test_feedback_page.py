"""nbgrader's feedback pages, readable offline: the Markdown math conversion on its own (the
pages themselves are checked in test_nbgrader, on a semester's feedback)."""
from __future__ import annotations

from autograder.course.feedback_page import MAX_MATH, markdown_math_to_mathml


def test_inline_and_display_math_become_mathml():
    out = markdown_math_to_mathml("A layer computes $y = x W^\\top + b$.\n\n$$h = \\sigma(x)$$\n")
    assert "$" not in out
    assert out.count("<math") == 2
    assert 'display="inline"' in out and 'display="block"' in out
    assert out.startswith("A layer computes <math") and out.rstrip().endswith("</math>")


def test_code_and_prices_are_not_math():
    source = ("Run `echo $HOME and $PATH` first.\n\n```bash\nexport A=$B; echo $C\n```\n"
              "It costs $ 5 or $ 6, and \\$x\\$ is escaped.")
    assert markdown_math_to_mathml(source) == source


def test_latex_it_cannot_read_stays_as_written():
    broken = "Broken: $\\frac{1}{$ and $\\notacommand{x}$ too."
    out = markdown_math_to_mathml(broken)
    assert "$\\frac{1}{$" in out
    long = "$" + "x+" * MAX_MATH + "x$"
    assert markdown_math_to_mathml(long) == long


# --- Learner content inert (issue 20): every page nbgrader renders in this course ----------------

HOSTILE_MARKDOWN = ('<img src=x onerror="document.title=1"> [link](javascript:alert(1)) '
                    '<script>alert(2)</script><iframe src="https://frame.example"></iframe>'
                    '<a href="https://example.com" onclick="alert(3)">ok</a> '
                    '$\\text{<script>alert(4)</script>}$')
HOSTILE_OUTPUTS = [
    {"output_type": "display_data", "metadata": {},
     "data": {"text/html": "<script>alert(5)</script><b onmouseover=alert(6)>bold</b>",
              "application/javascript": "alert(7)", "text/plain": "x"}},
    {"output_type": "display_data", "metadata": {},
     "data": {"text/markdown": "<img src=x onerror=alert(8)>", "text/plain": "y"}},
]


def _hostile_notebook():
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    code = new_code_cell("x = 1", outputs=[nbformat.from_dict(o) for o in HOSTILE_OUTPUTS])
    code.metadata["nbgrader"] = {"grade": True, "solution": False, "points": 1, "score": 0,
                                 "grade_id": '"><img src=x onerror=alert(9)>'}
    return new_notebook(cells=[new_markdown_cell(HOSTILE_MARKDOWN), code])


def _config():
    from traitlets.config import Config

    from autograder.course.feedback_page import configure

    config = Config()
    configure(config)
    return config


def _assert_inert(page: str, *, cells_only: bool = False) -> None:
    """Nothing in `page` (with `cells_only`, in its notebook cells: the template's own scripts
    aside) can run or load something, and the harmless part of the learner's content shows."""
    from bs4 import BeautifulSoup

    from autograder.course.feedback_page import runnable

    parts = [page]
    if cells_only:
        parts = [str(c) for c in BeautifulSoup(page, features="html.parser").select("div.cell")]
        assert len(parts) == 2, page[-2000:]
    for part in parts:
        assert runnable(part) == [], runnable(part)
        assert "frame.example" not in part and "alert(7)" not in part   # no frame, no JS
    assert "bold" in page and ">ok</a>" in page   # what only shows is kept


def test_clean_keeps_markdown_and_mathml_and_drops_what_runs():
    from autograder.course.feedback_page import clean, markdown_math_to_mathml

    kept = ('<h2 id="t">Title</h2><p>a <em>b</em> <code>c</code></p><table><tbody><tr><td>1</td>'
            '</tr></tbody></table><a href="https://pytorch.org">docs</a>'
            '<img src="data:image/png;base64,iVBORw0KGgo=" alt="plot">')
    assert clean(kept) == kept
    math = markdown_math_to_mathml("$y = x W^\\top + b$")
    assert clean(math).count("<mi>") == math.count("<mi>") > 0
    _assert_inert(clean(HOSTILE_MARKDOWN + markdown_math_to_mathml(HOSTILE_MARKDOWN)
                        + '<b>bold</b><a href="https://x.org">ok</a>'))
    assert clean("a < b and 1 > 0") == "a &lt; b and 1 &gt; 0"   # text stays text
    assert clean('<img src="https://tracker.example/x.png">') == "<img>"   # no remote load


def test_feedback_page_is_inert_and_allows_no_script():
    import os

    import nbgrader

    from autograder.course.feedback_page import (CONTENT_SECURITY_POLICY, FeedbackExporter,
                                          InertMetadata, has_policy)

    config = _config()
    config.HTMLExporter.extra_template_paths = [os.path.join(
        os.path.dirname(nbgrader.__file__), "server_extensions", "formgrader", "static",
        "node_modules", "bootstrap", "dist", "css")]   # what generate_feedback adds
    resources = {"nbgrader": {"notebook": "linear", "score": 0, "max_score": 1,
                              "late_penalty": 0}}
    exporter = FeedbackExporter(config=config)
    for step in config.GenerateFeedback.preprocessors[1:]:   # as generate_feedback; no gradebook
        exporter.register_preprocessor(step, enabled=True)
    assert config.GenerateFeedback.preprocessors[-1] is InertMetadata
    page, _ = exporter.from_notebook_node(_hostile_notebook(), resources)
    assert has_policy(page) and "default-src 'none'" in CONTENT_SECURITY_POLICY
    assert "script-src" not in CONTENT_SECURITY_POLICY
    _assert_inert(page)
    assert "<script" not in page.lower()     # not even the kit's: the page needs none
    assert "mathjax" not in page.lower().replace("loading mathjax", "").replace("load mathjax", "")


def test_every_html_page_of_the_course_is_sanitised_but_keeps_its_template():
    """The formgrader renders with nbgrader's own template (configure sets the template of the
    feedback exporter only, so the formgrader finds what its template includes) and the same
    sanitising: its Manual Grading page is served on the Jupyter server's origin."""
    from pathlib import Path

    import nbgrader
    from nbconvert.exporters import HTMLExporter

    config = _config()
    assert "template_name" not in config.HTMLExporter
    assert "extra_template_basedirs" not in config.HTMLExporter
    # As nbgrader's formgrader makes its exporter (server_extensions/formgrader/formgrader.py).
    config.HTMLExporter.template_name = "formgrade"
    config.HTMLExporter.extra_template_basedirs = [
        str(Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates")]
    resources = {"base_url": "", "submission_id": "s", "notebook_id": "linear",
                 "assignment_id": "linear", "index": 0, "total": 1, "student": "a",
                 "notebook_path": "x"}
    page, _ = HTMLExporter(config=config).from_notebook_node(_hostile_notebook(), resources)
    _assert_inert(page, cells_only=True)
    assert "&lt;p&gt;" not in page   # sanitised once, not escaped


def test_a_page_without_the_policy_is_refused():
    from autograder.course.feedback_page import has_policy

    assert not has_policy("<html><head><title>t</title></head><body></body></html>")
    assert not has_policy('<html><head><meta charset="utf-8"><script></script>'
                          '<meta http-equiv="Content-Security-Policy" content="x"></head></html>')


# --- Readable pages (issue 24, item 7): words unbroken, test cells named by their exercise ------

# "shapes" at every offset from a line's start, so that some must straddle a line's end.
LONG_FEEDBACK = ("Observed: your code raised RuntimeError: mat1 and mat2 shapes cannot be "
                 "multiplied (4x3 and 2x3) while the grader was calling Linear "
                 + " ".join("m" * k + " shapes" for k in range(1, 30)))


def _graded_notebook():
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    cells = []
    for exercise in ["parameters", "init"]:
        cell = new_code_cell(f'from autograder.notebook import check\npoints = check("linear", '
                             f'"{exercise}")\npoints', outputs=[new_output(
                                 "stream", name="stdout", text=LONG_FEEDBACK)])
        cell.metadata["nbgrader"] = {"grade": True, "solution": False, "points": 2, "score": 1,
                                     "grade_id": f"linear-{exercise}-checks"}
        cells.append(cell)
    odd = new_code_cell("points = 1\npoints")
    odd.metadata["nbgrader"] = {"grade": True, "solution": False, "points": 1, "score": 0,
                                "grade_id": "<b>odd</b>"}
    cells.append(odd)
    return nbformat.from_dict(new_notebook(cells=cells))


def _feedback_page(nb) -> str:
    import os

    import nbgrader

    from autograder.course.feedback_page import FeedbackExporter

    config = _config()
    config.HTMLExporter.extra_template_paths = [os.path.join(
        os.path.dirname(nbgrader.__file__), "server_extensions", "formgrader", "static",
        "node_modules", "bootstrap", "dist", "css")]   # what generate_feedback adds
    resources = {"nbgrader": {"notebook": "linear", "score": 2, "max_score": 5,
                              "late_penalty": 0}}
    exporter = FeedbackExporter(config=config)
    for step in config.GenerateFeedback.preprocessors[1:]:
        exporter.register_preprocessor(step, enabled=True)
    page, _ = exporter.from_notebook_node(nb, resources)
    return page


def test_test_cells_are_named_by_their_exercise():
    from bs4 import BeautifulSoup

    page = _feedback_page(_graded_notebook())
    links = [a.get_text() for a in BeautifulSoup(page, features="html.parser").select("#toc a")]
    assert links == ["Test cell: parameters", "Test cell: init", "Test cell: <b>odd</b>"], links
    assert "<b>odd</b>" not in page   # a grade id that looks like markup stays text
    from autograder.course.feedback_page import runnable

    assert runnable(page) == []


# Reads, after load, the computed word-break of each <pre> and whether each "shapes" in them
# lies on one line (one box), into the DOM that --dump-dom prints.
WORD_PROBE = """<script>
window.addEventListener('load', () => {
  const seen = [];
  for (const pre of document.querySelectorAll('pre')) {
    const style = getComputedStyle(pre);
    let split = 0, words = 0;
    const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let at = node.data.indexOf('shapes'); at >= 0; at = node.data.indexOf('shapes', at + 1)) {
        const range = document.createRange();
        range.setStart(node, at); range.setEnd(node, at + 6);
        words += 1;
        if (new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1) split += 1;
      }
    }
    seen.push({probe: pre.id === 'probe', wordBreak: style.wordBreak, words, split});
  }
  const out = document.createElement('div');
  out.id = 'computed';
  out.textContent = JSON.stringify(seen);
  document.body.appendChild(out);
});
</script>"""


def test_feedback_words_are_not_broken_in_chromium(tmp_path):
    import json
    import shutil
    import subprocess

    from bs4 import BeautifulSoup

    from autograder.course.feedback_page import CONTENT_SECURITY_POLICY

    browser = next((shutil.which(n) for n in ("chromium-headless-shell", "chromium",
                                              "chromium-browser", "google-chrome")
                    if shutil.which(n)), None)
    if browser is None:
        import pytest

        pytest.skip("no Chromium here (apt-get install chromium-headless-shell): the page's "
                    "layout cannot be measured")
    soup = BeautifulSoup(_feedback_page(_graded_notebook()), features="html.parser")
    policy = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert policy is not None and policy["content"] == CONTENT_SECURITY_POLICY
    # The page allows no script; this copy drops the policy to run the probe. The probe's own
    # <pre>, outside the notebook's cells, wraps as the old page did, with Bootstrap's break-all
    # (the test can fail).
    policy.decompose()
    probe = f"<pre id='probe' style='width:13em;white-space:pre-wrap'>{LONG_FEEDBACK}</pre>"
    measured = str(soup).replace("</body>", probe + WORD_PROBE + "</body>", 1)
    path = tmp_path / "feedback.html"
    path.write_text(measured, encoding="utf-8")
    proc = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                           "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
                           "--window-size=420,900", "--virtual-time-budget=2000", "--dump-dom",
                           path.as_uri()], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "</html>" in proc.stdout, proc.stderr[-2000:]
    found = BeautifulSoup(proc.stdout, features="html.parser").find(id="computed")
    assert found is not None, proc.stdout[-2000:]
    seen = json.loads(found.get_text())
    probes = [s for s in seen if s["probe"]]
    cells = [s for s in seen if not s["probe"] and s["words"]]
    assert probes and probes[0]["wordBreak"] == "break-all" and probes[0]["split"] > 0, probes
    assert len(cells) == 2, seen      # each test cell's output
    assert all(s["wordBreak"] == "normal" and s["split"] == 0 for s in cells), cells
