"""
Misconception: the ReLU comes before each layer, so the input itself goes through a ReLU and the last layer's output does not.
Caught by: parameters/mlp_forward
Mentions: ReLU on the input
"""
import torch


class MLP(MLP):  # noqa: F821
    def forward(self, x):
        for layer in self.layers:
            x = layer(torch.relu(x))
        return x
