"""
Misconception: the widely copied custom layer computes torch.matmul(X, self.weight.data) + self.bias.data; through .data no gradient reaches the weight or the bias, so nothing ever trains.
Caught by: linear/gradients_reach_input_weight_and_bias, linear/optimizer_updates_weight_and_bias
Mentions: .data, detach
"""
import torch


class Linear(Linear):  # noqa: F821
    def forward(self, x):
        y = torch.matmul(x, self.weight.data.T)
        if self.bias is not None:
            y = y + self.bias.data
        return y
