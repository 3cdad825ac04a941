"""
Misconception: forward may scale the input it is given in place, since the result is the same.
Caught by: parameters/scale_forward
Mentions: in place
"""


class Scale(Scale):  # noqa: F821
    def forward(self, x):
        return x.mul_(self.weight)
