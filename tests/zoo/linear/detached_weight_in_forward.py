"""
Misconception: using weight.data (or .detach()) in forward is harmless; the weight then gets no gradient.
Caught by: linear/gradients_reach_input_weight_and_bias, linear/optimizer_updates_weight_and_bias
Mentions: detach, .data
"""


class Linear(Linear):  # noqa: F821
    def forward(self, x):
        y = x @ self.weight.data.T
        return y + self.bias if self.bias is not None else y
