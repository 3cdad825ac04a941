"""
Misconception: the factors scale the rows of the batch (weight as a column), not the last dimension.
Caught by: parameters/scale_forward_broadcasts_over_last_dim
Mentions: last dimension
"""


class Scale(Scale):  # noqa: F821
    def forward(self, x):
        return x * self.weight.unsqueeze(-1)
