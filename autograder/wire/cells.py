"""A code cell as both sides and the grading process know it: its number, its source, how
feedback names it."""
from __future__ import annotations

from dataclasses import dataclass

from autograder.i18n import _


@dataclass(frozen=True)
class Cell:
    index: int          # 1-based position among the code cells (the engine's own numbering)
    source: str
    ipython: bool       # notebook cells may use IPython syntax (magics, !commands)
    label: str = ""     # how feedback names it: "cell 12 [7]" (position in the notebook,
                        # markdown cells included, then the execution count JupyterLab showed)

    @property
    def name(self) -> str:
        return self.label or _("cell {number}").format(number=self.index)

    @property
    def filename(self) -> str:
        return f"<cell {self.index}>"
