"""
Misconception: keeping the decoder's weight as a plain copy (not a parameter) keeps the parameter list right and the weights tied.
Caught by: parameters/tied_weight_is_one_tensor, parameters/tied_gradient_from_both_paths, parameters/tied_optimizer_updates_every_parameter
Mentions: copy, decoder
"""
import torch


class TiedAutoencoder(TiedAutoencoder):  # noqa: F821
    def __init__(self, in_features, hidden_features):
        super().__init__(in_features, hidden_features)
        self.decoder_weight = self.encoder.weight.detach().clone()

    def forward(self, x):
        return torch.relu(self.encoder(x)) @ self.decoder_weight + self.decoder_bias
