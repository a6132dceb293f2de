"""Opening a gradebook's database: SQLite's transactions and WAL, and errors said plainly."""

from __future__ import annotations

import functools
import sqlite3
import time
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from grader.errors import GradebookError

F = TypeVar("F", bound=Callable[..., Any])


def shown(url: str) -> str:
    """A gradebook's URL as messages show it: any password hidden."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except (SQLAlchemyError, ValueError):
        return url


def why(exc: BaseException) -> str:
    """The first line of what went wrong, without SQLAlchemy's statement and links."""
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__


def database_errors(method: F) -> F:
    """Turn a database error in a :class:`Gradebook` method into a GradebookError."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except SQLAlchemyError as exc:
            raise GradebookError(f"cannot use the gradebook {self.shown}: {why(exc)}") from exc

    return wrapper  # type: ignore[return-value]


LOCK = 0x67726164
"""The PostgreSQL advisory lock held while a gradebook's tables are made."""
SQLITE_BUSY_SECONDS = 60
"""How long a SQLite writer waits for another's transaction before giving up."""


def sqlite_transactions(engine: sa.Engine) -> None:
    """SQLite in WAL mode, waiting when busy, with transactions begun by SQLAlchemy.

    In WAL mode readers never wait for the writer; ``BEGIN IMMEDIATE`` for a write means a
    transaction that reads and then writes cannot deadlock with another.
    """

    @sa.event.listens_for(engine, "connect")
    def connected(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.isolation_level = None  # the driver's own BEGIN off: ours below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_SECONDS * 1000}")
        _wal(cursor)
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def begin(conn: sa.Connection) -> None:
        writes = conn.get_execution_options().get("grader_writes", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def _wal(cursor: Any) -> None:
    """Put the file in WAL mode (kept by the file), waiting while another connection holds it.

    Switching a new file to WAL needs it alone, and SQLite answers "database is locked" at once
    instead of calling the busy handler when two openers of a new file race for it.
    """
    deadline = time.monotonic() + SQLITE_BUSY_SECONDS
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
