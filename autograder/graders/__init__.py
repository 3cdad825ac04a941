"""The pytest graders, one package per assignment: `public.py` (checks learners also get) and
`hidden.py` (checks only the instructor's grading runs)."""
