"""
Misconception: reading self.weight.data in forward is the same as using self.weight.
Caught by: parameters/scale_optimizer_updates_weight
Mentions: .data, .detach()
"""


class Scale(Scale):  # noqa: F821
    def forward(self, x):
        return x * self.weight.data
