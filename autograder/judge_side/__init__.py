"""The judge side of the boundary: the judge process, the graders' API and pytest plugin, the
static reading of the source. Nothing here imports the learner side: what it knows of the
learner process comes over the wire."""
