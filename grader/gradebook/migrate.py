"""A gradebook's schema revision, upgraded in place when an older grader made it (Alembic).

The revision is kept in the ``alembic_version`` table. :func:`upgrade` runs on the connection
that opens a gradebook, inside its write transaction (so two graders opening one gradebook at
once take turns, and a failed upgrade leaves it as it was): a new database gets every table, a
gradebook of an earlier revision (or of the days before revisions) is brought up to
:data:`HEAD`, and a gradebook made by a newer grader is refused.
"""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING

import sqlalchemy as sa

from grader.errors import GradebookError

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

HEAD = "0002"
"""The revision this grader writes (the newest file in ``migrations/versions/``)."""
VERSION_TABLE = "alembic_version"
"""Where Alembic keeps a database's revision (one row, ``version_num``)."""


def _config() -> Config:
    from alembic.config import Config  # Alembic only when a gradebook needs upgrading

    config = Config()
    config.set_main_option("script_location", str(files("grader.gradebook") / "migrations"))
    return config


def scripts() -> ScriptDirectory:
    """The revisions this grader knows."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())


def revision(conn: sa.Connection) -> str | None:
    """The gradebook's revision (None: a new database, or one from before revisions).

    Read from Alembic's version table directly: a gradebook already at :data:`HEAD`, as it is
    on every run but the first, is opened without importing Alembic (0.1 s a run).
    """
    if not sa.inspect(conn).has_table(VERSION_TABLE):
        return None
    query: sa.Select[tuple[str]] = sa.select(sa.column("version_num")).select_from(
        sa.table(VERSION_TABLE)
    )
    rows = conn.execute(query).scalars().all()
    if len(rows) > 1:
        raise GradebookError(f"the gradebook has {len(rows)} schema revisions at once: {rows}")
    return str(rows[0]) if rows else None


def upgrade(conn: sa.Connection, shown: str) -> None:
    """Bring the gradebook on ``conn`` to :data:`HEAD`, in the caller's transaction.

    ``shown``: its URL as messages show it.

    Raises:
        GradebookError: a newer grader made it (a revision this one does not know).
    """
    current = revision(conn)
    if current == HEAD:
        return
    from alembic import command

    config = _config()
    known = {s.revision for s in scripts().walk_revisions()}
    if current is not None and current not in known:
        raise GradebookError(
            f"the gradebook {shown} is of schema revision {current}, made by a newer grader "
            f"than this one (revision {HEAD}); upgrade grader"
        )
    config.attributes["connection"] = conn
    command.upgrade(config, "head")
