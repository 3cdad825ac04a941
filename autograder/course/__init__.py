"""The course around the engine: submissions and translations read, the learner's kit, the
Gradescope bundle, nbgrader's set-up, gradebook and pages."""
