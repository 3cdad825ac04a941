"""
Misconception: forward is x @ self.weight; the weight is stored (out_features, in_features), so the product needs its transpose and raises a shape error instead.
Caught by: linear/forward_2d, linear/forward_3d_input
Mentions: x @ weight.T, transpose
Costs more: the forward pass is the layer's one computation: every check that runs the layer (1-D, 2-D, 3-D and empty inputs, gradients, an optimizer step, conversions) meets the same error, each after the first saying it is the same mistake
"""


class Linear(Linear):  # noqa: F821
    def forward(self, x):
        y = x @ self.weight
        return y + self.bias if self.bias is not None else y
