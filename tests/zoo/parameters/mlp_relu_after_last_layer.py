"""
Misconception: every layer of an MLP is followed by a ReLU, the output layer included.
Caught by: parameters/mlp_forward, parameters/mlp_no_relu_after_last_layer
Mentions: last
"""
import torch


class MLP(MLP):  # noqa: F821
    def forward(self, x):
        for layer in self.layers:
            x = torch.relu(layer(x))
        return x
