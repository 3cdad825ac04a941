"""
Misconception: calling torch's own linear function (imported under another name) counts as writing the layer.
Caught by: linear/does_not_use_nn_linear
Mentions: torch.nn.functional.linear, nn.Linear
Costs more: the layer's output is then torch's, not the learner's: every check of the layer credits what nn.Linear and F.linear would have earned, so none of them gives points (the LinearFunction checks still do)
"""
from torch.nn.functional import linear as affine


class Linear(Linear):  # noqa: F821
    def forward(self, x):
        return affine(x, self.weight, self.bias)
