"""Makes the repository root an nbgrader course (see shared contract, section 1)."""
import os

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = "sqlite:///gradebook.db"
c.CourseDirectory.assignment_id = ""

# Released notebooks must be identical on every run, so `make release` output can be committed
# and compared by the kit's tests.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
# Learner output in the notebooks is never graded on; each check cell decides its own points.
c.ExecutePreprocessor.timeout = 300

# The graded test cells run `from autograder.notebook import check` in the kernels nbgrader starts
# (autograde runs them in autograded/<student>/<id>/): the course's own engine comes first on
# their path, whatever is installed in the environment.
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (c.CourseDirectory.root, os.environ.get("PYTHONPATH")) if p)
