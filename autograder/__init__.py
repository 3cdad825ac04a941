"""The kit's grading engine.

A grade is a short pipeline, one module per stage:

    submission.load_cells   notebook or .py file  ->  list of code cells
    sandbox.run_children    cells run in forked, time-limited children, each in a scratch copy
                            of the assignment's folder; the graders run there too
                            (runner.run_checks)
    result.build_result     what the child reported  ->  Gradescope-format result
    report.format_report    result  ->  text a learner reads

`grading` strings the stages together for one file or many (`batch`: a whole class).
`checks` is what grader files use to declare checks and word their feedback; `plugin` is the
pytest plugin that turns a pytest run into per-check results; `notebook` is the entry point used
by the graded test cells of the notebooks (under JupyterLab or nbgrader).
"""
