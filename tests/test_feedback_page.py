"""nbgrader's feedback pages, readable offline: the Markdown math conversion on its own (the
pages themselves are checked in test_nbgrader, on a semester's feedback)."""
from __future__ import annotations

from autograder.feedback_page import MAX_MATH, markdown_math_to_mathml


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

    from autograder.feedback_page import configure

    config = Config()
    configure(config)
    return config


def _assert_inert(page: str, *, cells_only: bool = False) -> None:
    """Nothing in `page` (with `cells_only`, in its notebook cells: the template's own scripts
    aside) can run or load something, and the harmless part of the learner's content shows."""
    from bs4 import BeautifulSoup

    from autograder.feedback_page import runnable

    parts = [page]
    if cells_only:
        parts = [str(c) for c in BeautifulSoup(page, features="html.parser").select("div.cell")]
        assert len(parts) == 2, page[-2000:]
    for part in parts:
        assert runnable(part) == [], runnable(part)
        assert "frame.example" not in part and "alert(7)" not in part   # no frame, no JS
    assert "bold" in page and ">ok</a>" in page   # what only shows is kept


def test_clean_keeps_markdown_and_mathml_and_drops_what_runs():
    from autograder.feedback_page import clean, markdown_math_to_mathml

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

    from autograder.feedback_page import (CONTENT_SECURITY_POLICY, FeedbackExporter,
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
    from autograder.feedback_page import has_policy

    assert not has_policy("<html><head><title>t</title></head><body></body></html>")
    assert not has_policy('<html><head><meta charset="utf-8"><script></script>'
                          '<meta http-equiv="Content-Security-Policy" content="x"></head></html>')
