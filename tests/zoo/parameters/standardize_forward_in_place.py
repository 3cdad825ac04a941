"""
Misconception: forward may standardise the input it is given in place, since the result is the same.
Caught by: parameters/standardize_forward
Mentions: in place
"""


class Standardize(Standardize):  # noqa: F821
    def forward(self, x):
        return x.sub_(self.mean).div_(self.std)
