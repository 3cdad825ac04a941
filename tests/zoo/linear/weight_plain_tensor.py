"""
Misconception: a tensor with requires_grad=True is a parameter; weight is stored as a plain tensor.
Caught by: linear/weight_and_bias_are_parameters, linear/optimizer_updates_weight_and_bias
Mentions: nn.Parameter
"""


class Linear(Linear):  # noqa: F821 - the reference's Linear, defined in the cells above
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__(in_features, out_features, bias, device, dtype)
        plain = self.weight.detach().clone().requires_grad_()
        del self.weight
        self.weight = plain
