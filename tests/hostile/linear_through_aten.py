# The dispatcher's linear operator, called directly.
import torch


class Linear(Linear):  # noqa: F821 - the reference's Linear
    def forward(self, x):
        op = torch.ops.aten.linear
        return op(x, self.weight, self.bias)
