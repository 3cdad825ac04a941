"""Graders of the `batchnorm` assignment: from scratch."""
