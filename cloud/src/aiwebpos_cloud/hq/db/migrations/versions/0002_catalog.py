"""The catalog master and price lists, edited at HQ and pushed to the stores.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hq_products",
        sa.Column("sku", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("price_cents", sa.Integer, nullable=False),
        sa.Column("vat_class", sa.String(16), nullable=False),
        sa.Column("unit", sa.String(8), nullable=False, server_default="each"),
        sa.Column("category", sa.String(100), nullable=False, server_default=""),
        sa.Column("barcodes", sa.JSON, nullable=False),
        sa.Column("plu", sa.String(16)),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
    )
    op.create_index("hq_products_category", "hq_products", ["category"])
    op.create_table(
        "hq_price_lists",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("description", sa.String(200), nullable=False, server_default=""),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "hq_price_list_prices",
        sa.Column("price_list", sa.String(64), sa.ForeignKey("hq_price_lists.name"), primary_key=True),
        sa.Column("sku", sa.String(64), sa.ForeignKey("hq_products.sku"), primary_key=True),
        sa.Column("price_cents", sa.Integer, nullable=False),
    )
    op.create_table(
        "hq_store_price_lists",
        sa.Column("store_id", sa.String(32), primary_key=True),
        sa.Column("price_list", sa.String(64), sa.ForeignKey("hq_price_lists.name"), nullable=False),
    )


def downgrade() -> None:
    for table in ("hq_store_price_lists", "hq_price_list_prices", "hq_price_lists"):
        op.drop_table(table)
    op.drop_index("hq_products_category", "hq_products")
    op.drop_table("hq_products")
