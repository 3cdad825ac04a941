"""Old import path, kept for course files written before the engine's layout (an instructor's
`nbgrader_config.py`): the module is now
`autograder.course.nbgrader_setup`."""
import sys

from autograder.course import nbgrader_setup as _module

sys.modules[__name__] = _module
