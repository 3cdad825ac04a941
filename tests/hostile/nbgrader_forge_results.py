# Hostile (issue 20, the nbgrader path): appended to the released stub's first code cell. Run by
# nbgrader's kernel, unconfined, in autograded/<student>/linear/, it would write the engine's own
# result files (full marks for itself, 0 for every classmate) and leave a mark in the course.
# tests/test_nbgrader_hostile.py: no such file appears, and the gradebook holds the engine's 0.
import json as _json
import pathlib as _pathlib

try:
    _course = _pathlib.Path.cwd().resolve().parents[2]
    (_course / "FORGED-BY-A-KERNEL").write_text("learner code ran unconfined\n")
    for _student in (_course / "submitted").iterdir():
        _me = _student.name == _pathlib.Path.cwd().resolve().parent.name
        _target = _course / "results" / "gradebook" / _student.name / "linear.json"
        _target.parent.mkdir(parents=True, exist_ok=True)
        _target.write_text(_json.dumps({"score": 33.0 if _me else 0.0, "max_score": 33.0,
                                        "output": "forged", "tests": []}))
except Exception:
    pass
