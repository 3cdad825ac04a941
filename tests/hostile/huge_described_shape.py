# A weight on the meta device with a huge shape (12288 x 32768, 1.5 GiB as float32): it holds no
# memory in the learner process, but a grader that draws values of the weight's shape would
# allocate all of it in the judge. The checks that use the layer's weight fail, saying its size.
import torch
from torch import nn


class Linear(Linear):  # noqa: F821 - the reference's Linear
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__(in_features, out_features, bias, device, dtype)
        self.weight = nn.Parameter(torch.empty(12288, 32768, device="meta"))
