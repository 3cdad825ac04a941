"""
Misconception: forward computes W @ x.T, whose shape (out, N) looks right when N == out_features.
Caught by: linear/forward_2d, linear/forward_batch_size_equal_to_out_features
Mentions: weight.T, shape
Costs more: the forward pass is the layer's one computation: every check that runs the layer (1-D, 2-D, 3-D inputs, no bias, gradients, an optimizer step, the meta device) sees it
"""


class Linear(Linear):  # noqa: F821
    def forward(self, x):
        y = self.weight @ x.T
        return y + self.bias[:, None] if self.bias is not None else y
