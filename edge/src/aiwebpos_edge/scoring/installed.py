"""What is installed on disk: `DIR/models/{name}/{version}/` (an extracted bundle) and
`DIR/models/{name}/current.json` (which version is in use, its sha256, when it was loaded).

The pointer is written to a temporary file, fsynced and renamed over the old one, so that a power cut
leaves the old pointer or the new, never half of one; a restart with no network loads what it names.
The version in use and the one before it stay on disk (a rollback to it needs no download); older
ones are removed.
"""

import os
import shutil
from pathlib import Path

import msgspec

POINTER = "current.json"


class Installed(msgspec.Struct, kw_only=True):
    name: str
    version: str
    sha256: str
    loaded_at: str
    folder: str  # the bundle folder, relative to the model's directory
    # What a rollback returns to without a download (kept on disk until the next install).
    previous_version: str | None = None
    previous_sha256: str | None = None
    previous_folder: str | None = None


def models_dir(data_dir: str | Path) -> Path:
    return Path(data_dir) / "models"


def read_pointer(model_dir: Path) -> Installed | None:
    path = model_dir / POINTER
    if not path.is_file():
        return None
    try:
        return msgspec.json.decode(path.read_bytes(), type=Installed)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


def installed_pointers(data_dir: str | Path) -> list[tuple[Path, Installed]]:
    root = models_dir(data_dir)
    if not root.is_dir():
        return []
    found = [
        (model_dir, read_pointer(model_dir)) for model_dir in sorted(root.iterdir()) if model_dir.is_dir()
    ]
    return [(model_dir, pointer) for model_dir, pointer in found if pointer is not None]


def write_pointer(model_dir: Path, installed: Installed) -> None:
    temporary = model_dir / f".{POINTER}.tmp"
    with temporary.open("wb") as file:
        file.write(msgspec.json.encode(installed))
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, model_dir / POINTER)
    directory = os.open(model_dir, os.O_RDONLY)  # the rename itself survives a power cut
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def prune(model_dir: Path, keep: set[str]) -> None:
    """Remove the version folders (and leftovers of interrupted installs) not in `keep`."""
    for child in model_dir.iterdir():
        if child.is_dir() and child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)
