"""The grading session (a learner and a judge process per submission) and what runs it: one
file, a class in parallel, a Dask cluster, the set-up's own proof, the result files."""
