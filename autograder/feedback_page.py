"""nbgrader's feedback pages, readable offline.

`nbgrader generate_feedback` writes HTML that loads MathJax from a CDN, so on a learner's laptop
without internet the math stays raw LaTeX, and long lines of feedback run off the page. The
course's `nbgrader_config.py` calls `configure` to fix both:

- `OfflineMath` turns the math of every Markdown cell (`$...$`, `$$...$$`) into MathML, which
  browsers draw without any script;
- the `kit_feedback` template (templates/kit_feedback/page.html.j2) is nbgrader's own feedback page without the
  MathJax script, with lines that wrap.
"""
from __future__ import annotations

import re
from pathlib import Path

from nbconvert.preprocessors import Preprocessor

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "kit_feedback"
# What nbconvert's mathjax() macro writes when nbgrader's template calls it without a URL.
MATHJAX_SCRIPT = ('<script src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/latest.js'
                  '?config=TeX-AMS_CHTML-full,Safe"> </script>')
MAX_MATH = 2000          # longer "math" is left as it is (a learner's cell is untrusted text)

# Code is never math: fenced blocks and inline code spans are skipped.
_CODE = re.compile(r"(```.*?```|~~~.*?~~~|`+[^`]*`+)", re.S)
_MATH = re.compile(r"(?<![\\$])(\$\$?)(?!\s)(.+?)(?<![\\\s])\1", re.S)


def latex_to_mathml(latex: str, display: bool) -> str | None:
    """MathML for `latex`, or None when it is too long or latex2mathml cannot read it."""
    if len(latex) > MAX_MATH:
        return None
    from latex2mathml.converter import convert

    try:
        return convert(latex, display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - any LaTeX it cannot read stays as written
        return None


def markdown_math_to_mathml(source: str) -> str:
    """`source` with its math as MathML, code spans and code blocks untouched."""
    def math(match: re.Match) -> str:
        mathml = latex_to_mathml(match.group(2).strip(), display=match.group(1) == "$$")
        return match.group(0) if mathml is None else mathml

    parts = _CODE.split(source)
    return "".join(part if i % 2 else _MATH.sub(math, part) for i, part in enumerate(parts))


class OfflineMath(Preprocessor):
    """Markdown cells' math as MathML, so a feedback page needs no MathJax."""

    enabled = True   # nbconvert's preprocessors do nothing unless enabled

    def preprocess(self, nb, resources):
        resources["kit_mathjax_script"] = MATHJAX_SCRIPT   # what the template leaves out
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown" and "$" in cell.source:
            cell.source = markdown_math_to_mathml(cell.source)
        return cell, resources


def configure(c) -> None:
    """Point nbgrader's `generate_feedback` at the offline page (c: the nbgrader config)."""
    import nbgrader
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import GetGrades

    nbgrader_templates = (Path(nbgrader.__file__).parent / "server_extensions" / "formgrader"
                          / "templates")
    c.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, OfflineMath]
    c.HTMLExporter.template_name = TEMPLATE
    c.HTMLExporter.template_file = "page.html.j2"   # extends nbgrader's feedback/index.html.j2
    c.HTMLExporter.extra_template_basedirs = [str(TEMPLATES), str(nbgrader_templates)]
