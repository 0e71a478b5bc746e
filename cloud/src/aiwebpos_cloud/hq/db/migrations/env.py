"""Alembic's environment: HQ runs its migrations itself (`aiwebpos-cloud hq init`, and at every start),
on the connection it hands over in `config.attributes["connection"]`."""

from alembic import context

from aiwebpos_cloud.hq.db.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
