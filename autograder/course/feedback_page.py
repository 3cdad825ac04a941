"""nbgrader's pages of a learner's notebook: readable offline, and inert.

`nbgrader generate_feedback` writes HTML that loads MathJax from a CDN, so on a learner's laptop
without internet the math stays raw LaTeX, and long lines of feedback run off the page. The
course's `nbgrader_config.py` calls `configure` to fix both:

- `OfflineMath` turns the math of every Markdown cell (`$...$`, `$$...$$`) into MathML, which
  browsers draw without any script;
- the `kit_feedback` template (templates/kit_feedback/page.html.j2) is nbgrader's own feedback
  page without the MathJax script, with lines that wrap.

Everything a page shows of a notebook is the learner's (Markdown, outputs, cell metadata), and
the pages are opened by the instructor, or served by the formgrader on the Jupyter server's own
origin, where a script would act with the instructor's session. So every page nbgrader renders
in this course shows learner content inert:

- Markdown is rendered, then sanitised with bleach (`clean`: an allow-list of the tags and
  attributes Markdown and MathML produce; no script, style, event handler, form, frame,
  `javascript:` or remote URL), in the feedback pages and the formgrader alike (the
  `markdown2html` filter of every `HTMLExporter` is `safe_markdown2html`);
- outputs go through nbconvert's own sanitising (`HTMLExporter.sanitize_html`: HTML and
  Markdown outputs cleaned, JavaScript and widget outputs dropped); under `make autograde` the
  learner's outputs are cleared anyway, and the graded cells show the engine's report as text;
- nbgrader metadata a template writes as markup (the grade id) is escaped (`InertMetadata`);
- the page's table of contents names each test cell after its exercise ("Test cell:
  parameters"), where nbgrader writes "Test cell" for every one (`test_cell_names`);
- a feedback page carries a Content-Security-Policy that allows no script at all (the kit writes
  none): whatever slipped through the sanitiser would not run. `FeedbackExporter` refuses to
  write a page without it.

The formgrader's page is nbgrader's own `formgrade` template (its scripts need the server);
`configure` leaves the template of every page but the feedback page alone, so each nbgrader page
finds the files its template includes.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import Preprocessor

from autograder.config import MAX_MATH

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "kit_feedback"
# What nbconvert's mathjax() macro writes when nbgrader's template calls it without a URL.
MATHJAX_SCRIPT = ('<script src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/latest.js'
                  '?config=TeX-AMS_CHTML-full,Safe"> </script>')
# ... and the configuration it writes beside it (a script MathJax reads; the page has no MathJax).
MATHJAX_CONFIG = re.compile(r'<!-- MathJax configuration -->\s*<script type="text/x-mathjax-config">'
                            r'.*?</script>\s*<!-- End of mathjax configuration -->', re.S)

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

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown" and "$" in cell.source:
            cell.source = markdown_math_to_mathml(cell.source)
        return cell, resources


# -- learner content, inert ------------------------------------------------------------------------

# What Markdown (mistune, as nbconvert renders it) and latex2mathml produce, and nothing that runs.
MARKDOWN_TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl",
                 "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd",
                 "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strike",
                 "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
                 "tr", "u", "ul", "var"}
MATHML_TAGS = {"math", "mi", "mn", "mo", "ms", "mtext", "mspace", "mrow", "mfrac", "msqrt",
               "mroot", "mstyle", "merror", "mpadded", "mphantom", "menclose", "msub", "msup",
               "msubsup", "munder", "mover", "munderover", "mmultiscripts", "mprescripts", "none",
               "mtable", "mtr", "mtd", "mlabeledtr", "semantics"}
MATHML_ATTRIBUTES = {"display", "xmlns", "mathvariant", "stretchy", "fence", "separator",
                     "accent", "accentunder", "form", "largeop", "movablelimits", "symmetric",
                     "lspace", "rspace", "minsize", "maxsize", "width", "height", "depth",
                     "linethickness", "columnalign", "rowalign", "columnspacing", "rowspacing",
                     "columnlines", "rowlines", "frame", "displaystyle", "scriptlevel",
                     "notation", "bevelled", "numalign", "denomalign", "open", "close",
                     "separators"}
CELL_ATTRIBUTES = {"class", "id", "title", "align", "colspan", "rowspan", "start", "alt",
                   "width", "height"}
IMAGE_URL = re.compile(r"data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*\Z", re.I)
LINK_URL = re.compile(r"(https?:|mailto:|#)", re.I)
# The feedback page's policy: no script, no remote content, no forms, no frames, no <base>.
CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                           "font-src data:; base-uri 'none'; form-action 'none'")
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}" />'


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if name.startswith("on") or name == "style":
        return False
    if tag == "a" and name == "href":
        return bool(LINK_URL.match(value.strip()))
    if tag == "img" and name == "src":
        return bool(IMAGE_URL.match(value.strip()))
    if tag in MATHML_TAGS:
        return name in MATHML_ATTRIBUTES
    return name in CELL_ATTRIBUTES


def clean(markup: str) -> str:
    """`markup` (rendered learner Markdown, or an output's HTML) reduced to what only shows:
    Markdown's and MathML's tags with harmless attributes; everything else is removed, with its
    text kept as text (a `<script>`'s code appears as words, never runs)."""
    import bleach

    return bleach.clean(str(markup), tags=MARKDOWN_TAGS | MATHML_TAGS,
                        attributes=_allowed_attribute, protocols={"http", "https", "mailto", "data"},
                        strip=True, strip_comments=True)


try:
    from jinja2 import pass_context
except ImportError:  # jinja2 < 3
    from jinja2 import contextfilter as pass_context


@pass_context
def safe_markdown2html(context, source) -> str:
    """nbconvert's `markdown2html` filter (HTMLExporter.markdown2html, with its defaults), then
    `clean`: the rendered Markdown of a cell, inert."""
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    cell = context.get("cell", {})
    attachments = cell.get("attachments", {}) if isinstance(cell, dict) else {}
    path = context.get("resources", {}).get("metadata", {}).get("path", "")
    renderer = IPythonRenderer(escape=False, attachments=attachments or {}, embed_images=False,
                               path=path, anchor_link_text="¶", exclude_anchor_links=False)
    return clean(MarkdownWithMath(renderer=renderer).render(str(source)))


class InertMetadata(Preprocessor):
    """nbgrader's templates write a cell's grade id into the page as markup: escape it (it is
    the learner's wherever nbgrader did not restore the cell from the source)."""

    enabled = True

    def preprocess_cell(self, cell, resources, index):
        meta = cell.get("metadata", {}).get("nbgrader") if isinstance(cell.get("metadata"), dict) \
            else None
        if isinstance(meta, dict) and "grade_id" in meta:
            meta["grade_id"] = html.escape(str(meta["grade_id"]), quote=True)
        return cell, resources


# A graded test cell of this course: `check("linear", "parameters")` (see autograder.notebook).
_CHECK_CALL = re.compile(r"""\bcheck\(\s*["'](\w{1,40})["']\s*,\s*["'](\w{1,40})["']""")
TEST_CELL_LINK = '<a href="#{grade_id}">Test cell</a>'   # nbgrader's table of contents


def test_cell_names(nb) -> dict[str, str]:
    """The name each graded test cell's link gets in the page's table of contents, by its grade
    id as the page writes it (escaped, see InertMetadata): "Test cell: parameters", after the
    exercise whose checks it runs, where nbgrader writes "Test cell" for every one. A cell
    whose exercise cannot be read keeps its grade id as its name ("Test cell: linear-x")."""
    names = {}
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader") if isinstance(cell.get("metadata"), dict) \
            else None
        if not isinstance(meta, dict) or not meta.get("grade") or meta.get("solution") or \
                "grade_id" not in meta:
            continue
        source = cell.get("source", "")
        found = _CHECK_CALL.search(source if isinstance(source, str) else "".join(source))
        grade_id = str(meta["grade_id"])
        names[html.escape(grade_id, quote=True)] = "Test cell: " + (
            found.group(2) if found else grade_id[:80])
    return names


def name_test_cells(page: str, names: dict[str, str]) -> str:
    """`page` with nbgrader's "Test cell" links named by `test_cell_names` (text, escaped)."""
    for grade_id, name in names.items():
        page = page.replace(TEST_CELL_LINK.format(grade_id=grade_id),
                            f'<a href="#{grade_id}">{html.escape(name)}</a>', 1)
    return page


class FeedbackExporter(HTMLExporter):
    """The exporter of `nbgrader generate_feedback` in this course (its own config section, so the
    formgrader's exporter keeps nbgrader's templates): every page it writes carries the kit's
    Content-Security-Policy, or it writes none."""

    def from_notebook_node(self, nb, resources=None, **kw):
        # What the template leaves out (MathJax) and what it writes first in <head> (the policy).
        resources = {**(resources or {}), "kit_csp_meta": CSP_META,
                     "kit_mathjax_script": MATHJAX_SCRIPT}
        names = test_cell_names(nb)
        output, resources = super().from_notebook_node(nb, resources, **kw)
        output = name_test_cells(MATHJAX_CONFIG.sub("", output, count=1), names)
        if not has_policy(output):
            raise ValueError(f"the feedback template {self.template_name!r} wrote a page without "
                             "the kit's Content-Security-Policy first in its <head>")
        active = runnable(output)
        if active:
            raise ValueError(f"the feedback page would hold {active}; the kit writes no script, "
                             "and learner content is sanitised: a sanitiser or template changed")
        return output, resources


def runnable(page: str) -> list[str]:
    """The elements and attributes of `page` that could run or load something (none on a page
    the kit writes)."""
    from bs4 import BeautifulSoup

    found = []
    for element in BeautifulSoup(page, features="html.parser").find_all(True):
        if element.name in ("script", "iframe", "object", "embed", "frame", "base", "form"):
            found.append(f"<{element.name}>")
        for name, value in element.attrs.items():
            value = " ".join(value) if isinstance(value, list) else str(value)
            if name.lower().startswith("on"):
                found.append(f"<{element.name} {name}>")
            elif name.lower() in ("href", "src", "action", "formaction", "xlink:href") and \
                    re.match(r"\s*(javascript|vbscript):", value, re.I):
                found.append(f"<{element.name} {name}={value[:40]}>")
    return found


def has_policy(page: str) -> bool:
    """Whether `page` has the kit's Content-Security-Policy in its <head>, before anything but
    the charset (the policy holds for what comes after it)."""
    from bs4 import BeautifulSoup

    head = BeautifulSoup(page, features="html.parser").head
    if head is None:
        return False
    for element in head.find_all(True, recursive=False):
        if element.name == "meta" and element.get("charset"):
            continue
        return (element.name == "meta"
                and str(element.get("http-equiv", "")).lower() == "content-security-policy"
                and element.get("content") == CONTENT_SECURITY_POLICY)
    return False


def configure(c) -> None:
    """Point nbgrader's `generate_feedback` at the offline, inert page, and make every page nbgrader
    renders show learner content inert (c: the nbgrader config)."""
    import nbgrader
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import GetGrades

    nbgrader_templates = (Path(nbgrader.__file__).parent / "server_extensions" / "formgrader"
                          / "templates")
    # Every HTMLExporter of the course (the formgrader's, the feedback's): sanitised Markdown and
    # outputs, escaped grade ids.
    c.HTMLExporter.sanitize_html = True
    c.HTMLExporter.filters = {"markdown2html": safe_markdown2html}
    c.HTMLExporter.preprocessors = [InertMetadata]
    # The feedback page only: the kit's template. Configured on FeedbackExporter, not on
    # HTMLExporter, which the formgrader uses with its own template (its Manual Grading page
    # failed with "TemplateNotFound: bootstrap.min.css" when it got the feedback template).
    c.GenerateFeedback.exporter_class = FeedbackExporter
    # InertMetadata last there: nbgrader's GetGrades looks the grade ids up as they are.
    c.FeedbackExporter.preprocessors = []
    c.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, OfflineMath,
                                        InertMetadata]
    c.FeedbackExporter.template_name = TEMPLATE
    c.FeedbackExporter.template_file = "page.html.j2"   # extends nbgrader's feedback/index.html.j2
    c.FeedbackExporter.extra_template_basedirs = [str(TEMPLATES), str(nbgrader_templates)]
