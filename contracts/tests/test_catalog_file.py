"""The catalog file both the node and HQ import: which columns it needs, and how it reads."""

from pathlib import Path

import pytest

from aiwebpos_contracts.catalog_file import barcodes_in, read_rows


def test_a_spreadsheets_file_with_only_the_required_columns_is_read_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "range.csv"
    # Saved from a spreadsheet: a byte-order mark, no unit, category, barcodes or plu columns.
    path.write_text("\ufeffsku,name,price_cents,vat_class\nMAIZE-10,Maize meal 10 kg,13999,zero\n", "utf-8")
    assert list(read_rows(path)) == [
        (2, {"sku": "MAIZE-10", "name": "Maize meal 10 kg", "price_cents": "13999", "vat_class": "zero"})
    ]


def test_a_file_without_a_required_column_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "range.csv"
    path.write_text("sku,name,vat_class\nMAIZE-10,Maize meal 10 kg,zero\n", "utf-8")
    with pytest.raises(ValueError, match="lacks the column\\(s\\) price_cents"):
        list(read_rows(path))


@pytest.mark.parametrize(
    ("cell", "codes"),
    [
        (None, []),
        ("", []),
        ("6001234567899", ["6001234567899"]),
        (" 6001234567899 | 96385074 |", ["6001234567899", "96385074"]),
    ],
)
def test_a_barcodes_cell_splits_on_the_bar_and_drops_blanks(cell: str | None, codes: list[str]) -> None:
    assert barcodes_in(cell) == codes
