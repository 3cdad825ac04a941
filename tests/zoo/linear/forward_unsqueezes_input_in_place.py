"""
Misconception: a 1-D input can be turned into a batch with x.unsqueeze_(0); the in-place version changes the caller's tensor, and fails on an input that requires grad.
Caught by: linear/forward_leaves_input_unchanged
Mentions: in place, unsqueeze_
"""


class Linear(Linear):  # noqa: F821
    def forward(self, x):
        single = x.dim() == 1
        if single:
            x.unsqueeze_(0)
        y = x @ self.weight.T
        if self.bias is not None:
            y = y + self.bias
        return y.squeeze(0) if single else y
