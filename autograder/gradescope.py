"""Old import path, kept for course files written before the engine's layout (an instructor's
`nbgrader_config.py`, scripts that run `python -m autograder.gradescope`): the module is now
`autograder.course.gradescope`."""
import sys

from autograder.course import gradescope as _module

if __name__ == "__main__":
    sys.exit(_module.main())
sys.modules[__name__] = _module
