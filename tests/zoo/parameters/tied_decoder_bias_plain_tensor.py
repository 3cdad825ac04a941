"""
Misconception: a zero bias with requires_grad=True is enough; it need not be a Parameter.
Caught by: parameters/tied_parameter_names, parameters/tied_decoder_bias_starts_at_zero
Mentions: nn.Parameter, decoder_bias
"""
import torch


class TiedAutoencoder(TiedAutoencoder):  # noqa: F821
    def __init__(self, in_features, hidden_features):
        super().__init__(in_features, hidden_features)
        del self.decoder_bias
        self.decoder_bias = torch.zeros(in_features, requires_grad=True)
