"""Remote management: prices, store users and settings (VAT rates, limits) pushed to one, several or
all stores, with each store's delivery and apply result. The catalog master has its own routes."""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, get, post
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import Body, FromPath, FromQuery

from aiwebpos_cloud.hq.auth.passwords import TOO_SHORT, long_enough
from aiwebpos_cloud.hq.auth.routes import claims_of, client_ip
from aiwebpos_cloud.hq.commands import service, store
from aiwebpos_cloud.hq.state import Hq, HqDep
from aiwebpos_contracts.commands import STORE_ROLES
from aiwebpos_contracts.receipts import VatClass


class PriceLine(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    sku: str
    price_cents: int


class PricePush(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    prices: list[PriceLine]
    stores: list[str] | None = None  # None: every store


class StoreUserPush(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    username: str
    roles: list[str]
    password: str | None = None  # needed where the user is new
    pin: str | None = None
    full_name: str = ""
    active: bool = True
    stores: list[str] | None = None


class VatRatePush(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    vat_class: VatClass
    rate_percent: str
    effective_from: date
    stores: list[str] | None = None


class SettingsPush(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The store settings HQ sets chain-wide; a field left out is left as each store has it."""

    discount_limit_percent: str | None = None
    cash_rounding_cents: Literal[0, 5, 10] | None = None
    return_approval_limit_cents: int | None = None
    void_approval_limit_cents: int | None = None
    max_cash_tender_cents: int | None = None
    receipt_footer: str | None = None
    stores: list[str] | None = None


class Delivery(msgspec.Struct, kw_only=True):
    store_id: str
    command_id: str
    state: str  # queued, sent (the broker has it), applied, failed
    detail: str
    answered_at: str | None


class Pushed(msgspec.Struct, kw_only=True):
    batch_id: str
    type: str
    issued_by: str
    issued_at: str
    body: dict[str, Any]
    deliveries: list[Delivery]


class BatchSummary(msgspec.Struct, kw_only=True):
    batch_id: str
    type: str
    issued_by: str
    issued_at: str
    stores: int
    states: dict[str, int]  # state → how many stores


def percent(text: str, what: str, top: Decimal) -> str:
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ClientException(f"{what} {text!r} is not a number") from exc
    if not (Decimal(0) <= value <= top) or value != value.quantize(Decimal("0.01")):
        raise ClientException(f"{what} is from 0 to {top} with at most two decimals")
    return str(value)


def checked_user(data: StoreUserPush) -> dict[str, Any]:
    if not data.username.strip() or len(data.username) > 64:
        raise ClientException("a user needs a username of at most 64 characters")
    wrong = sorted(set(data.roles) - set(STORE_ROLES))
    if not data.roles or wrong:
        raise ClientException(
            f"roles are some of {', '.join(STORE_ROLES)}" + (f"; not {', '.join(wrong)}" if wrong else "")
        )
    if data.password is not None and not long_enough(data.password):
        raise ClientException(TOO_SHORT)
    if data.pin is not None and not (data.pin.isascii() and data.pin.isdigit() and 4 <= len(data.pin) <= 8):
        raise ClientException("a PIN is 4 to 8 digits")
    body = msgspec.to_builtins(data)
    del body["stores"]
    return dict(body)


def checked_settings(data: SettingsPush) -> dict[str, Any]:
    body = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not None and k != "stores"}
    if not body:
        raise ClientException("name at least one setting to change")
    if data.discount_limit_percent is not None:
        body["discount_limit_percent"] = percent(
            data.discount_limit_percent, "a discount limit", Decimal(100)
        )
    negative = [k for k, v in body.items() if k.endswith("_cents") and isinstance(v, int) and v < 0]
    if negative:
        raise ClientException(f"{', '.join(negative)}: an amount is 0 or more")
    return body


class CommandController(Controller):
    path = "/api/v1/commands"

    @get("/", opt={"permission": "commands.read"})
    async def recent(self, hq: HqDep, limit: FromQuery[int] = 20) -> list[BatchSummary]:
        if not 1 <= limit <= 200:
            raise ClientException("limit is from 1 to 200")
        async with hq.sessions() as session:
            rows = await store.recent(session, limit)
        return [BatchSummary(**row) for row in rows]

    @post("/users", opt={"permission": "store_users.push"}, status_code=202)
    async def push_user(
        self, hq: HqDep, request: Request[Any, Any, Any], data: Annotated[StoreUserPush, Body()]
    ) -> Pushed:
        return await _push(hq, request, "user.upsert", checked_user(data), data.stores)

    @post("/vat-rates", opt={"permission": "settings.push"}, status_code=202)
    async def push_vat_rate(
        self, hq: HqDep, request: Request[Any, Any, Any], data: Annotated[VatRatePush, Body()]
    ) -> Pushed:
        if data.effective_from < hq.now().date():
            raise ClientException("a VAT rate starts today or later: receipts already issued keep theirs")
        rate = percent(data.rate_percent, "a VAT rate", Decimal("99.99"))
        if data.vat_class in ("zero", "exempt") and Decimal(rate) != 0:
            raise ClientException(f"the {data.vat_class} class always has a 0 % rate")
        body = {
            "vat_class": data.vat_class,
            "rate_percent": rate,
            "effective_from": data.effective_from.isoformat(),
        }
        return await _push(hq, request, "vat_rate.set", body, data.stores)

    @post("/settings", opt={"permission": "settings.push"}, status_code=202)
    async def push_settings(
        self, hq: HqDep, request: Request[Any, Any, Any], data: Annotated[SettingsPush, Body()]
    ) -> Pushed:
        return await _push(hq, request, "config.set", checked_settings(data), data.stores)

    @post("/prices", opt={"permission": "catalog.push"}, status_code=202)
    async def push_prices(
        self, hq: HqDep, request: Request[Any, Any, Any], data: Annotated[PricePush, Body()]
    ) -> Pushed:
        bad = [p.sku for p in data.prices if p.price_cents < 0 or not p.sku.strip()]
        if not data.prices or bad:
            raise ClientException("give at least one price, each with a SKU and a price of 0 or more")
        body = {"prices": [msgspec.to_builtins(p) for p in data.prices]}
        return await _push(hq, request, "price.set", body, data.stores)

    @get("/{batch_id:str}", opt={"permission": "commands.read"})
    async def batch(self, hq: HqDep, batch_id: FromPath[str]) -> Pushed:
        return await pushed(hq, batch_id)


async def _push(
    hq: Hq, request: Request[Any, Any, Any], command_type: str, body: dict[str, Any], stores: list[str] | None
) -> Pushed:
    async with hq.sessions.begin() as session:
        batch_id = await service.push(
            session,
            hq.publish,
            command_type=command_type,
            body=body,
            stores=stores,
            actor=claims_of(request).sub,
            at=hq.at(),
            ip=client_ip(request),
        )
    return await pushed(hq, batch_id)


async def pushed(hq: Hq, batch_id: str) -> Pushed:
    async with hq.sessions() as session:
        rows = await store.batch(session, batch_id)
    if not rows:
        raise NotFoundException(f"no push {batch_id}")
    first = rows[0]
    return Pushed(
        batch_id=batch_id,
        type=first.type,
        issued_by=first.issued_by,
        issued_at=first.issued_at,
        body=service.redacted(first.body),
        deliveries=[
            Delivery(
                store_id=r.store_id,
                command_id=r.command_id,
                state=r.state,
                detail=r.detail,
                answered_at=r.answered_at,
            )
            for r in rows
        ],
    )
