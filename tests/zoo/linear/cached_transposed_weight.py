"""
Misconception: the transposed weight can be computed once in __init__ and reused; the cached view is left behind when .double()/.to() replaces the weight's data, and a deep copy of the layer fails.
Caught by: linear/conversion_copy_and_reload
Mentions: cached, __init__
"""


class Linear(Linear):  # noqa: F821
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__(in_features, out_features, bias, device, dtype)
        self.weight_t = self.weight.T      # computed once, reused by every forward

    def forward(self, x):
        y = x @ self.weight_t
        return y + self.bias if self.bias is not None else y
