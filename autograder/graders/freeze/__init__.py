"""Graders of the `freeze` assignment: freeze a YOLO-style backbone, then unfreeze it."""
