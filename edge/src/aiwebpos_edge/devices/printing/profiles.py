"""Printer profiles: what a model of printer can do, from the TOML files of firmware_config/printers/."""

import tomllib
from pathlib import Path

import msgspec


class PrinterProfile(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: str
    paper_width_mm: int
    columns: int  # characters per line in the printer's default font
    escpos_profile: str = "default"  # a python-escpos capability profile (code pages, QR support)
    native_qr: bool = True  # GS ( k on the printer; False: the QR code is sent as a raster image
    cut: bool = True  # has an autocutter
    status_queries: bool = True  # answers DLE EOT (paper, cover): only over links that read back
    drawer_pin: int = 2  # the drawer kick connector pin: 2 or 5


class ProfileError(ValueError):
    pass


def load_profile(directory: str | Path, name: str) -> PrinterProfile:
    path = Path(directory) / f"{name}.toml"
    try:
        profile = msgspec.convert(tomllib.loads(path.read_text(encoding="utf-8")), PrinterProfile)
    except FileNotFoundError as exc:
        raise ProfileError(f"no printer profile {name!r}: {path} does not exist") from exc
    except (tomllib.TOMLDecodeError, msgspec.ValidationError) as exc:
        raise ProfileError(f"printer profile {path} is not valid: {exc}") from exc
    if profile.drawer_pin not in (2, 5) or profile.columns < 24:
        raise ProfileError(f"printer profile {path}: drawer_pin must be 2 or 5 and columns at least 24")
    return profile
