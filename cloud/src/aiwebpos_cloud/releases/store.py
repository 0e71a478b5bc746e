"""The releases folder: every artifact ever released and, per model, the history of its releases.

    DIR/artifacts/{name}/{version}/{sha256}.tar   what stores download (served by `releases serve`)
    DIR/history/{name}.jsonl                      every published ModelRelease, oldest first

An artifact is named by its sha256, so a rebuilt bundle never overwrites the bytes a store may be
downloading. The history is append-only JSON lines: the last line is the release the broker retains,
and a rollback reads the earlier ones.
"""

import os
import shutil
from pathlib import Path

import msgspec

from aiwebpos_cloud.releases.package import artifact_path
from aiwebpos_contracts.releases import ModelRelease


class ReleaseStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @property
    def artifacts(self) -> Path:
        return self.directory / "artifacts"

    def artifact(self, name: str, version: str, sha256: str) -> Path:
        return self.directory / artifact_path(name, version, sha256)

    def add_artifact(self, name: str, version: str, sha256: str, tar_path: Path) -> Path:
        """Copy the tar into place (atomically: the server never serves half a file); returns its path."""
        target = self.artifact(name, version, sha256)
        if target.is_file():
            return target  # same name, same sha256: the same bytes
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial")
        shutil.copyfile(tar_path, partial)
        os.replace(partial, target)
        return target

    def _history_file(self, name: str) -> Path:
        return self.directory / "history" / f"{name}.jsonl"

    def record(self, release: ModelRelease) -> None:
        path = self._history_file(release.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab") as file:
            file.write(msgspec.json.encode(release) + b"\n")

    def history(self, name: str) -> list[ModelRelease]:
        path = self._history_file(name)
        if not path.is_file():
            return []
        lines = path.read_bytes().splitlines()
        return [msgspec.json.decode(line, type=ModelRelease) for line in lines if line.strip()]

    def current(self, name: str) -> ModelRelease | None:
        """The model's latest published release (what the broker retains), None before the first."""
        found = self.history(name)
        return found[-1] if found else None
