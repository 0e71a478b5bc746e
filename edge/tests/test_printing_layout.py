"""The receipt and the reports as they come out of the printer: rendered to ESC/POS for each printer
profile, then read back from the bytes (devkit's ESC/POS reader) as a person reads the paper."""

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from aiwebpos_contracts.events import ShiftReport, TenderTotal
from aiwebpos_contracts.receipts import Buyer, PaymentRecord, Receipt, ReceiptLine, VatBreakdown
from aiwebpos_edge.clock import parse_iso
from aiwebpos_edge.devices.printing.escpos_output import render
from aiwebpos_edge.devices.printing.layout import Header, receipt_document, shift_report_document
from aiwebpos_edge.devices.printing.profiles import ProfileError, load_profile
from devkit.escpos_decode import Page, decode

PROFILES_DIR = Path(__file__).resolve().parents[2] / "firmware_config" / "printers"
MASERU = ZoneInfo("Africa/Maseru")
PROFILES = ["epson-tm-t20", "epson-tm-t88", "generic-58mm"]


def a_receipt(**changes: object) -> Receipt:
    receipt = Receipt(
        receipt_no="T1-000042",
        sale_id="0193b0c2-0000-7000-8000-000000000042",
        store_id="MSU-01",
        terminal_id="T1",
        cashier="thabo",
        completed_at="2026-11-23T08:15:00.000Z",
        lines=[
            ReceiptLine(
                line_id=1,
                sku="MM-125",
                name="White Star super maize meal 12.5 kg",
                quantity="2",
                unit_price_cents=12_999,
                discount_cents=1_000,
                total_cents=24_998,
                vat_class="zero",
                vat_rate="0",
            ),
            ReceiptLine(
                line_id=2,
                sku="BAN",
                name="Bananas",
                quantity="0.750",
                unit="kg",
                unit_price_cents=2_500,
                discount_cents=0,
                total_cents=1_875,
                vat_class="standard",
                vat_rate="15",
            ),
            ReceiptLine(
                line_id=3,
                sku="COKE-2L",
                name="Coca-Cola 2 L",
                quantity="1",
                unit_price_cents=3_200,
                discount_cents=0,
                total_cents=3_200,
                vat_class="standard",
                vat_rate="15",
                price_overridden=True,
            ),
        ],
        subtotal_cents=31_073,
        discount_cents=1_000,
        total_cents=30_073,
        rounding_cents=2,
        total_due_cents=30_075,
        vat_cents=662,
        vat_breakdown=[
            VatBreakdown(vat_class="standard", rate="15", gross_cents=5_075, net_cents=4_413, vat_cents=662),
            VatBreakdown(vat_class="zero", rate="0", gross_cents=24_998, net_cents=24_998, vat_cents=0),
        ],
        payments=[
            PaymentRecord(payment_id=1, method="card", amount_cents=10_000, reference="AUTH 774411"),
            PaymentRecord(payment_id=2, method="cash", amount_cents=25_000, currency="ZAR"),
        ],
        paid_cents=35_000,
        change_cents=4_925,
        vat_number="LS-VAT-0123456",
        store_name="Maseru Sunrise Grocers",
        store_address="Kingsway Road, Maseru 100, Lesotho",
    )
    for name, value in changes.items():
        setattr(receipt, name, value)
    return receipt


def printed(receipt: Receipt, profile_name: str, **kw: object) -> Page:
    profile = load_profile(PROFILES_DIR, profile_name)
    document = receipt_document(receipt, MASERU, profile.columns, footer="Thank you - come again", **kw)  # type: ignore[arg-type]
    pages = decode(render(document, profile))
    assert len(pages) == 1
    return pages[0]


@pytest.mark.parametrize("profile_name", PROFILES)
def test_the_tax_invoice_carries_everything_the_law_and_the_customer_need(profile_name: str) -> None:
    page = printed(a_receipt(), profile_name)
    text = " ".join(page.text.split())  # a line wrapped on narrow paper reads on
    for expected in [
        "Maseru Sunrise Grocers",
        "Kingsway Road, Maseru 100, Lesotho",
        "VAT no: LS-VAT-0123456",
        "TAX INVOICE",
        "T1-000042",
        "2026-11-23 10:15",  # Maseru time, not UTC
        "thabo",
        "Bananas",
        "0.750kg x M25.00/kg",
        "(price changed by a manager)",
        "Discount",
        "-M10.00",
        "M300.73",  # the total
        "Cash rounding",
        "M300.75",  # what was due in cash
        "S 15%",
        "Z 0%",
        "M6.62",  # VAT at 15 %
        "Card",
        "ref AUTH 774411",
        "Cash (ZAR at par)",
        "Change (LSL)",
        "M49.25",
        "Thank you - come again",
    ]:
        assert expected in text, f"{expected!r} is not on the {profile_name} receipt:\n{text}"
    assert "maize meal" in text  # long names wrap, never run off the paper
    assert "COPY" not in text


@pytest.mark.parametrize("profile_name", PROFILES)
def test_no_line_is_wider_than_the_paper(profile_name: str) -> None:
    columns = load_profile(PROFILES_DIR, profile_name).columns
    page = printed(a_receipt(), profile_name)
    for line in page.lines:
        width = len(line.text) * (2 if line.large else 1)
        assert width <= columns, f"{line.text!r} is {width} wide on {columns}-column paper"


def test_the_qr_code_of_the_receipt_number_is_native_or_a_picture_as_the_printer_can() -> None:
    assert printed(a_receipt(), "epson-tm-t20").qr_codes == ["T1-000042"]
    cheap = printed(a_receipt(), "generic-58mm")
    assert cheap.qr_codes == [] and cheap.images == 1


def test_cut_and_drawer_follow_the_printer_and_the_tender() -> None:
    with_cash = printed(a_receipt(), "epson-tm-t88", kick=True)
    assert with_cash.cut and with_cash.drawer_kicks == [2]
    assert printed(a_receipt(), "epson-tm-t88").drawer_kicks == []
    assert not printed(a_receipt(), "generic-58mm").cut  # no cutter: paper is torn off


def test_a_reprint_says_copy_at_the_top_and_the_bottom_and_opens_no_drawer() -> None:
    page = printed(a_receipt(), "epson-tm-t20", copy=True)
    marks = [i for i, line in enumerate(page.lines) if "*** COPY ***" in line.text]
    assert len(marks) == 2 and marks[0] < 6 and marks[1] > len(page.lines) - 4
    assert page.drawer_kicks == []


def test_a_buyer_with_a_vat_number_gets_a_full_vat_invoice() -> None:
    buyer = Buyer(vat_number="LS-VAT-7777777", name="Ha Thetsane Clinic", address="Box 12, Maseru")
    text = printed(a_receipt(document="vat_invoice", buyer=buyer), "epson-tm-t20").text
    assert "VAT INVOICE" in text and "TAX INVOICE" not in text
    assert "Buyer: Ha Thetsane Clinic" in text and "Buyer VAT no: LS-VAT-7777777" in text


def test_a_credit_note_names_the_original_receipt_and_the_refund() -> None:
    note = a_receipt(
        document="credit_note",
        receipt_no="T1-000043",
        original_receipt_no="T1-000042",
        payments=[PaymentRecord(payment_id=0, method="cash", amount_cents=-1_875)],
        change_cents=0,
    )
    text = printed(note, "epson-tm-t20").text
    assert "CREDIT NOTE" in text and "Against receipt: T1-000042" in text
    assert "Refund: Cash" in text and "-M18.75" in text


def test_the_z_report_shows_the_count_the_variance_and_room_to_sign() -> None:
    report = ShiftReport(
        kind="z",
        shift_id="0193b0c2-aaaa-7000-8000-0000000000ff",
        terminal_id="T1",
        cashier="thabo",
        opened_at="2026-11-23T06:00:00.000Z",
        closed_at="2026-11-23T15:00:00.000Z",
        opening_float_cents=50_000,
        cash_sales_cents=120_000,
        cash_refunds_cents=1_875,
        expected_cash_cents=168_125,
        counted_cash_cents=168_000,
        variance_cents=-125,
        sales_count=31,
        sales_total_cents=250_000,
        tenders=[
            TenderTotal(method="cash", count=20, amount_cents=120_000),
            TenderTotal(method="card", count=11, amount_cents=130_000),
        ],
        vat=[
            VatBreakdown(
                vat_class="standard", rate="15", gross_cents=115_000, net_cents=100_000, vat_cents=15_000
            )
        ],
        voids_count=2,
        voids_cents=3_000,
        discounts_count=1,
        discounts_cents=1_000,
        returns_count=1,
        returns_cents=1_875,
        cancelled_count=0,
        no_sales_count=3,
    )
    profile = load_profile(PROFILES_DIR, "epson-tm-t20")
    head = Header("Maseru Sunrise Grocers", "Kingsway Road", "LS-VAT-0123456")
    document = shift_report_document(
        report, head, MASERU, profile.columns, printed_at=parse_iso("2026-11-23T15:01:00Z")
    )
    [page] = decode(render(document, profile))
    text = page.text
    for expected in [
        "Z REPORT",
        "Opened",
        "2026-11-23 08:00",
        "Closed",
        "2026-11-23 17:00",
        "Sales (31)",
        "M2,500.00",
        "No-sales (drawer opened)",
        "Expected cash",
        "M1,681.25",
        "Counted cash",
        "M1,680.00",
        "VARIANCE",
        "-M1.25",
        "Cashier: ____",
        "Manager: ____",
        "S 15%",
        "M150.00",
    ]:
        assert expected in text, f"{expected!r} missing from the Z report:\n{text}"
    assert page.cut


def test_a_missing_or_broken_profile_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="no printer profile 'tm-x'"):
        load_profile(PROFILES_DIR, "tm-x")
    (tmp_path / "bad.toml").write_text('name = "x"\npaper_width_mm = 80\ncolumns = 48\ndrawer_pin = 3\n')
    with pytest.raises(ProfileError, match="drawer_pin"):
        load_profile(tmp_path, "bad")


def test_the_example_node_settings_load_and_name_profiles_that_exist(monkeypatch: pytest.MonkeyPatch) -> None:
    from aiwebpos_edge.settings import load_settings

    example = PROFILES_DIR.parents[0] / "node" / "node.example.toml"
    monkeypatch.setenv("AIWEBPOS_CONFIG", str(example))
    settings = load_settings("/var/lib/aiwebpos")
    devices = settings.devices
    assert devices.terminals["T1"].scale is not None and devices.terminals["T1"].scale.parity == "E"
    for printer in devices.printers.values():
        load_profile(PROFILES_DIR, printer.profile)
    assert {t.printer for t in devices.terminals.values()} <= set(devices.printers)


def test_serve_refuses_a_devices_table_it_cannot_use_and_says_why(node_settings: Any) -> None:
    from click.testing import CliRunner

    from aiwebpos_edge.cli import main

    node_toml = Path(node_settings.data_dir) / "node.toml"
    for body, words in [
        (
            f'[devices]\nprinter_profiles_dir = "{PROFILES_DIR}"\n[devices.printers.a]\nprofile = "tm-x"\nconnection = "tcp://127.0.0.1:9"\n',
            "no printer profile 'tm-x'",
        ),
        (
            f'[devices]\nprinter_profiles_dir = "{PROFILES_DIR}"\n[devices.printers.a]\nprofile = "epson-tm-t20"\nconnection = "lpt1"\n',
            "bad printer connection",
        ),
        ('[devices.terminals.T1]\nprinter = "nowhere"\n', "names no printer 'nowhere'"),
        (
            '[devices.terminals.T1]\nscale = { path = "/dev/x", protocol = "cas" }\n',
            "unknown scale protocol 'cas'",
        ),
    ]:
        node_toml.write_text(body)
        result = CliRunner().invoke(main, ["serve", "--data-dir", node_settings.data_dir, "--port", "1"])
        assert result.exit_code != 0 and words in result.output, result.output
