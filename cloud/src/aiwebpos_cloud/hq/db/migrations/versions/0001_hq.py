"""HQ's first tables: users, audit log, stores as last seen, commands sent.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hq_users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("roles", sa.JSON, nullable=False),
        sa.Column("full_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "hq_audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(64)),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("client_ip", sa.String(64)),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
    )
    op.create_table(
        "hq_stores",
        sa.Column("store_id", sa.String(32), primary_key=True),
        sa.Column("online", sa.Boolean, nullable=False),
        sa.Column("status", sa.JSON, nullable=False),
        sa.Column("received_at", sa.String(32), nullable=False),
        sa.Column("last_online_at", sa.String(32)),
    )
    op.create_table(
        "hq_commands",
        sa.Column("command_id", sa.String(64), primary_key=True),
        sa.Column("batch_id", sa.String(64), nullable=False, index=True),
        sa.Column("store_id", sa.String(32), nullable=False, index=True),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("issued_by", sa.String(64), nullable=False),
        sa.Column("issued_at", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, server_default="queued"),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
        sa.Column("answered_at", sa.String(32)),
    )


def downgrade() -> None:
    for table in ("hq_commands", "hq_stores", "hq_audit", "hq_users"):
        op.drop_table(table)
