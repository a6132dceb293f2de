"""The gradebook: every graded submission, in SQLite or any SQLAlchemy database.

:mod:`~grader.gradebook.schema` holds the tables, :mod:`~grader.gradebook.engine` opens the
database, :mod:`~grader.gradebook.store` holds the :class:`Gradebook` that records and reads
results, and :mod:`~grader.gradebook.manual_grades` stores a person's grades.
"""

from grader.gradebook.engine import SQLITE_BUSY_SECONDS, shown
from grader.gradebook.store import Gradebook, default_url, latest_results
from grader.grading_key import Stamp

__all__ = ["SQLITE_BUSY_SECONDS", "Gradebook", "Stamp", "default_url", "latest_results", "shown"]
