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
