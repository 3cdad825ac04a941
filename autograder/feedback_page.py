"""Old import path, kept for course files written before the engine's layout (an instructor's
`nbgrader_config.py`): the module is now
`autograder.course.feedback_page`."""
import sys

from autograder.course import feedback_page as _module

sys.modules[__name__] = _module
