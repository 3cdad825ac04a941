"""
Misconception: the decoder's use of the shared weight needs no gradient, so it may be detached.
Caught by: parameters/tied_gradient_from_both_paths
Mentions: encoder path only, both
"""
import torch


class TiedAutoencoder(TiedAutoencoder):  # noqa: F821
    def forward(self, x):
        return torch.relu(self.encoder(x)) @ self.encoder.weight.detach() + self.decoder_bias
