"""HQ's own tables (SQLAlchemy 2): its users, its audit log, what the stores last said, the commands sent.

Business history is not here: it is in the lakehouse. This database holds what HQ itself decides and
what it must remember across restarts.
"""

from typing import Any

from sqlalchemy import JSON, Boolean, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "hq_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    roles: Mapped[list[str]] = mapped_column(JSON)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[str] = mapped_column(String(32))


class AuditEntry(Base):
    """Hash-chained like the node's: an edited or deleted entry breaks the chain."""

    __tablename__ = "hq_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str | None] = mapped_column(String(64), nullable=True)
    action: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    client_ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class StoreSeen(Base):
    """The last retained status of each store node, as HQ received it."""

    __tablename__ = "hq_stores"

    store_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    online: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[str] = mapped_column(String(32))
    last_online_at: Mapped[str | None] = mapped_column(String(32), nullable=True)


class SentCommand(Base):
    """A command HQ sent to one store, and what the store answered (its `command.result`)."""

    __tablename__ = "hq_commands"

    command_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(64), index=True)  # one push to several stores
    store_id: Mapped[str] = mapped_column(String(32), index=True)
    type: Mapped[str] = mapped_column(String(32))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    issued_by: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default="queued")  # queued, sent, applied, failed
    detail: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[str | None] = mapped_column(String(32), nullable=True)


class MasterProduct(Base):
    """The chain's catalog master: what every store sells, at its base price (VAT inclusive, lisente)."""

    __tablename__ = "hq_products"

    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    price_cents: Mapped[int] = mapped_column(Integer)
    vat_class: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(8), default="each")
    category: Mapped[str] = mapped_column(String(100), default="")
    barcodes: Mapped[list[str]] = mapped_column(JSON, default=list)
    plu: Mapped[str | None] = mapped_column(String(16), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[str] = mapped_column(String(32))
    updated_by: Mapped[str] = mapped_column(String(64))


class PriceList(Base):
    """Prices that differ from the master for a group of stores (town against rural, say)."""

    __tablename__ = "hq_price_lists"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    description: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[str] = mapped_column(String(32))


class PriceListPrice(Base):
    __tablename__ = "hq_price_list_prices"

    price_list: Mapped[str] = mapped_column(String(64), primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    price_cents: Mapped[int] = mapped_column(Integer)


class StorePriceList(Base):
    """Which price list a store sells by (a store without one sells at the master's prices)."""

    __tablename__ = "hq_store_price_lists"

    store_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    price_list: Mapped[str] = mapped_column(String(64))


class StoreOwnPrice(Base):
    """A price one store sells a product at, whatever its price list says (an approved store-specific
    price recommendation)."""

    __tablename__ = "hq_store_prices"

    store_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    price_cents: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[str] = mapped_column(String(32))
    updated_by: Mapped[str] = mapped_column(String(64))


class FraudReview(Base):
    """A reviewer's verdict on a fraud alert: fraud (also a label in the lakehouse) or not fraud."""

    __tablename__ = "hq_fraud_reviews"

    store_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # sale, return, cancel, drawer, shift
    ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    verdict: Mapped[str] = mapped_column(String(16))  # fraud, not_fraud
    note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by: Mapped[str] = mapped_column(String(64))
    reviewed_at: Mapped[str] = mapped_column(String(32))
