"""The kit's grading engine.

A grade is a short pipeline, one module per stage:

    submission.load_cells   notebook or .py file  ->  list of code cells
    sandbox.Session         per submission, two processes forked warm: a learner process (from
                            `zygote`, confined by `confine`) runs the cells and answers requests
                            about its objects (`learner`, `instruments`); a judge process
                            (`judge`) runs the pytest graders (`runner`, `plugin`) and decides
                            every score. They talk plain data only (`protocol`, `client`).
    result.build_result     what the judge reported  ->  Gradescope-format result
    report.format_report    result  ->  text a learner reads

`grading` strings the stages together for one file or many (`batch`: a whole class; `gradebook`:
the engine's scores into nbgrader's gradebook). `checks` is what grader files use to declare
checks and word their feedback; `notebook` is the entry point used by the graded test cells of
the notebooks (under JupyterLab or nbgrader, in the learner's own kernel: a help, not a grade).
"""
