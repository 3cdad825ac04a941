# parameters: Scale's weight on the meta device with a huge shape; the grader that sets the
# weight to values it drew must not allocate them (the check fails, saying the tensor's size).
import torch
from torch import nn


class Scale(Scale):  # noqa: F821 - the reference's Scale
    def __init__(self, num_features):
        super().__init__(num_features)
        self.weight = nn.Parameter(torch.empty(1 << 20, 1 << 14, device="meta"))
