"""Graders of the `linear` assignment: `nn.Linear` from scratch and its hand-written backward."""
