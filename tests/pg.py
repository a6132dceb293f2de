"""A fresh PostgreSQL database per test, from the server ``GRADER_TEST_POSTGRES_URL`` names.

The URL's role must be allowed to create databases (``.ci/run`` makes one, ``grader`` with
``CREATEDB``, and sets the variable). Each test that asks for :func:`postgres_url` gets the URL
of a database of its own, made empty for it and dropped after it; :func:`gradebook_url` runs a
test twice, on a new SQLite file and on such a database. Without the variable, without a
PostgreSQL driver, or when the server cannot be reached within a few seconds (or refuses the
role), a PostgreSQL test skips and says why (the server is tried once a session).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

ENV = "GRADER_TEST_POSTGRES_URL"
CONNECT_TIMEOUT = 5
"""Seconds to wait for the server before skipping."""


@pytest.fixture(scope="session")
def _postgres_server() -> Iterator[sa.Engine]:
    """An engine on the server's own database (to create and drop test databases), or skip."""
    url = os.environ.get(ENV, "")
    if not url:
        pytest.skip(f"{ENV} is not set: no PostgreSQL server to test against (.ci/run sets it)")
    try:
        engine = sa.create_engine(
            url,
            isolation_level="AUTOCOMMIT",  # CREATE/DROP DATABASE cannot run in a transaction
            poolclass=sa.NullPool,
            connect_args={"connect_timeout": CONNECT_TIMEOUT},
        )
    except (ImportError, SQLAlchemyError) as exc:  # no driver, or not a database URL
        pytest.skip(f"{ENV} cannot be used: {type(exc).__name__}: {exc}")
    if engine.dialect.name != "postgresql":
        pytest.skip(f"{ENV} names a {engine.dialect.name} database, not PostgreSQL")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        pytest.skip(
            f"cannot connect to the PostgreSQL server of {ENV} ({engine.url.render_as_string()}, "
            f"waited up to {CONNECT_TIMEOUT} s): {reason[0] if reason else type(exc).__name__}"
        )
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_url(_postgres_server: sa.Engine) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    name = f"grader_test_{uuid.uuid4().hex[:16]}"
    with _postgres_server.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield _postgres_server.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with _postgres_server.connect() as conn:
            # End the connections a test left open (an unclosed Gradebook's pool), so the
            # database always goes. Not DROP ... WITH (FORCE): that needs the right to end an
            # autovacuum worker's too, which DROP DATABASE ends by itself.
            conn.execute(
                sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND usename = current_user"),
                {"name": name},
            )  # fmt: skip
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))


@pytest.fixture(params=["sqlite", "postgresql"])
def gradebook_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """The URL of an empty gradebook: a new SQLite file, then a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'gradebook.sqlite'}"
    return str(request.getfixturevalue("postgres_url"))
