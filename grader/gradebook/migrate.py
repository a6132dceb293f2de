"""A gradebook's schema revision, upgraded in place when an older grader made it (Alembic).

The revision is kept in the ``alembic_version`` table. :func:`upgrade` runs on the connection
that opens a gradebook, inside its write transaction (so two graders opening one gradebook at
once take turns, and a failed upgrade leaves it as it was): a new database gets every table, a
gradebook of an earlier revision (or of the days before revisions) is brought up to
:data:`HEAD`, and a gradebook made by a newer grader is refused.
"""

from __future__ import annotations

from importlib.resources import files

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from grader.errors import GradebookError

HEAD = "0002"
"""The revision this grader writes (the newest file in ``migrations/versions/``)."""


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("grader.gradebook") / "migrations"))
    return config


def scripts() -> ScriptDirectory:
    """The revisions this grader knows."""
    return ScriptDirectory.from_config(_config())


def revision(conn: sa.Connection) -> str | None:
    """The gradebook's revision (None: a new database, or one from before revisions)."""
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(conn: sa.Connection, shown: str) -> None:
    """Bring the gradebook on ``conn`` to :data:`HEAD`, in the caller's transaction.

    ``shown``: its URL as messages show it.

    Raises:
        GradebookError: a newer grader made it (a revision this one does not know).
    """
    current = revision(conn)
    if current == HEAD:
        return
    config = _config()
    known = {s.revision for s in ScriptDirectory.from_config(config).walk_revisions()}
    if current is not None and current not in known:
        raise GradebookError(
            f"the gradebook {shown} is of schema revision {current}, made by a newer grader "
            f"than this one (revision {HEAD}); upgrade grader"
        )
    config.attributes["connection"] = conn
    command.upgrade(config, "head")
