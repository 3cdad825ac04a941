"""
Misconception: printing a module shows its sizes automatically; extra_repr is left out.
Caught by: linear/extra_repr, linear/repr_without_bias
Mentions: extra_repr, in_features=
"""
from torch import nn


class Linear(Linear):  # noqa: F821
    def extra_repr(self):
        return nn.Module.extra_repr(self)
