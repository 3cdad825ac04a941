"""Graders of the `parameters` assignment: parameters versus plain tensors, buffers, module
containers, tied weights, counting parameters."""
