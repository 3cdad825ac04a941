"""The kit's grading engine.

A grade is a short pipeline; the folders show which side of the trust boundary each module is on:

    course.submission.load_cells   notebook or .py file  ->  list of code cells (`wire.cells`)
    grading.session.Session        per submission, two processes forked warm: a learner process
                                   (`learner_side`: from `zygote`, confined by `confine`) runs the
                                   cells and answers requests about its objects (`server`,
                                   `instruments`); a judge process (`judge_side`: `judge`) runs the
                                   pytest graders (`runner`, `plugin`) and decides every score.
                                   They talk plain data only (`wire.protocol`, `judge_side.client`).
    grading.result.build_result    what the judge reported  ->  Gradescope-format result
    reports.report.format_report   result  ->  text a learner reads

`grading.api` strings the stages together for one file or many (`grading.batch`: a whole class;
`course.gradebook`: the engine's scores into nbgrader's gradebook). `judge_side.checks` is what
grader files use to declare checks and word their feedback; `notebook` is the entry point used by
the graded test cells of the notebooks (under JupyterLab or nbgrader, in the learner's own
kernel: a help, not a grade). `config` holds every limit, size, path and environment variable.
"""
