"""The learner side of the boundary: where learner processes come from, how they are
confined, how they run the cells and answer the judge. Nothing here imports the judge side."""
