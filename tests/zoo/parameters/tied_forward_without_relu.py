"""
Misconception: an autoencoder decodes the encoder's linear output directly; the ReLU on the code is optional.
Caught by: parameters/tied_forward, parameters/tied_weight_is_one_tensor, parameters/tied_gradient_from_both_paths, parameters/tied_optimizer_updates_every_parameter
Mentions: ReLU
"""


class TiedAutoencoder(TiedAutoencoder):  # noqa: F821
    def forward(self, x):
        return self.encoder(x) @ self.encoder.weight + self.decoder_bias
