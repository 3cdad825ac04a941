"""
Misconception: any random start will do, so the weights are drawn from a standard normal.
Caught by: linear/init_within_bound, linear/init_spread_uses_in_features
Mentions: 1/sqrt(in_features), U(-
"""
import torch


class Linear(Linear):  # noqa: F821
    def reset_parameters(self):
        with torch.no_grad():
            self.weight.normal_()
            if self.bias is not None:
                self.bias.normal_()
