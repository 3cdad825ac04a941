"""
Misconception: a linear layer only sees 2-D batches, so forward flattens the input to (N, in).
Caught by: linear/forward_1d_input, linear/forward_3d_input
Mentions: (*, in_features), shape
"""


class Linear(Linear):  # noqa: F821
    def forward(self, x):
        y = x.reshape(-1, self.in_features) @ self.weight.T
        return y + self.bias if self.bias is not None else y
