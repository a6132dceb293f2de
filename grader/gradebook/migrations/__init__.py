"""The gradebook's schema revisions (Alembic).

``env.py`` and ``versions/``, run by :mod:`grader.gradebook.migrate` on the connection that
opens a gradebook.
"""
