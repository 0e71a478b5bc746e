"""A store's own prices (an approved store-specific price recommendation): they win over its price list
and the master, so a later catalog push sends the store what was approved for it.

Revision ID: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hq_store_prices",
        sa.Column("store_id", sa.String(32), primary_key=True),
        sa.Column("sku", sa.String(64), primary_key=True),
        sa.Column("price_cents", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("hq_store_prices")
