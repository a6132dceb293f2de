"""A gradebook's schema revision, upgraded in place when an older grader made it (Alembic).

The revision is kept in the ``alembic_version`` table. :func:`upgrade` runs on the connection
that opens a gradebook, inside its write transaction (so two graders opening one gradebook at
once take turns, and a failed upgrade leaves it as it was): a new database gets every table of
:mod:`grader.gradebook.schema` and the revision :data:`HEAD` (Alembic's own recipe for a new
database, ``create_all`` then ``stamp``, without importing Alembic: 0.1 s of every first run,
and of every CI run, which grades into a new gradebook); a gradebook of an earlier revision
(or of the days before revisions) is brought up to :data:`HEAD` by the migrations, and a
gradebook made by a newer grader is refused. tests/test_gradebook_migrate.py checks that the
migrations, run on an empty database, make the very schema and revision a new gradebook gets.
"""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING

import sqlalchemy as sa

from grader.errors import GradebookError
from grader.gradebook.schema import metadata

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

HEAD = "0002"
"""The revision this grader writes (the newest file in ``migrations/versions/``)."""
VERSION_TABLE = "alembic_version"
"""Where Alembic keeps a database's revision (one row, ``version_num``)."""
_VERSION = sa.Table(
    VERSION_TABLE,
    sa.MetaData(),
    sa.Column("version_num", sa.String(32), nullable=False),
    sa.PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)
"""That table as Alembic makes it."""


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
    if current is None and not sa.inspect(conn).get_table_names():  # a new database
        metadata.create_all(conn)
        _VERSION.create(conn)
        conn.execute(_VERSION.insert().values(version_num=HEAD))
        return
    migrate(conn, current, shown)


def migrate(conn: sa.Connection, current: str | None, shown: str) -> None:
    """Run the migrations from revision ``current`` to :data:`HEAD` on ``conn`` (Alembic).

    Raises:
        GradebookError: ``current`` is a revision this grader does not know.
    """
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
