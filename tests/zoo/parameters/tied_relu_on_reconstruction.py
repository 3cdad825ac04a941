"""
Misconception: the ReLU belongs at the end of the autoencoder, on the reconstruction.
Caught by: parameters/tied_forward, parameters/tied_weight_is_one_tensor, parameters/tied_gradient_from_both_paths, parameters/tied_optimizer_updates_every_parameter
Mentions: ReLU on the reconstruction
"""
import torch


class TiedAutoencoder(TiedAutoencoder):  # noqa: F821
    def forward(self, x):
        return torch.relu(self.encoder(x) @ self.encoder.weight + self.decoder_bias)
