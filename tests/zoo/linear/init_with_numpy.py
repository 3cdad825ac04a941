"""
Misconception: drawing the initial values with numpy is the same as with torch (torch.manual_seed no longer reproduces them).
Caught by: linear/init_follows_torch_seed
Mentions: torch.manual_seed
"""
import math

import numpy as np
import torch


class Linear(Linear):  # noqa: F821
    def reset_parameters(self):
        bound = 1 / math.sqrt(self.in_features)
        with torch.no_grad():
            for p in (self.weight, self.bias):
                if p is not None and p.device.type != "meta":
                    values = np.random.uniform(-bound, bound, size=tuple(p.shape))
                    p.copy_(torch.from_numpy(values))
