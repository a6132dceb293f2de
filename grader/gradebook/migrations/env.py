"""Alembic's environment: the connection to migrate is handed over, there is no ``alembic.ini``.

The migrations run on the connection (and in the transaction) that
:func:`grader.gradebook.migrate.upgrade` gives.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
