"""
Misconception: stacking linear layers is enough; the activations between them are optional.
Caught by: parameters/mlp_forward, parameters/mlp_no_relu_after_last_layer, parameters/mlp_optimizer_and_to_reach_every_layer
Mentions: without any ReLU
"""


class MLP(MLP):  # noqa: F821
    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x
