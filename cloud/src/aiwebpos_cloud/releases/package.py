"""A bundle folder as a deterministic tar, and the signed release that announces it.

Deterministic (sorted names, fixed mtime, owner and mode, no directory entries): the same bundle always
gives the same bytes and so the same sha256, whoever packs it and whenever. Uncompressed: skops files are
zip archives already. Regular files only; a symlink is refused rather than followed, because what it
points at was not what was evaluated and registered.
"""

import hashlib
import io
import tarfile
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from aiwebpos_cloud.releases import signing
from aiwebpos_contracts.ids import uuid7
from aiwebpos_contracts.releases import BUNDLE_TAR, ModelRelease, Rollout, signing_payload

FIXED_MTIME = 0


class PackageError(ValueError):
    """A bundle folder that cannot be shipped as it is (a symlink, a device file, nothing in it)."""


def _bundle_files(bundle: Path) -> list[tuple[str, Path]]:
    files: list[tuple[str, Path]] = []
    for path in bundle.rglob("*"):
        relative = path.relative_to(bundle).as_posix()
        if path.is_symlink():
            raise PackageError(f"{bundle}: {relative} is a symlink; a release ships regular files only")
        if path.is_dir():
            continue  # implied by the file names; a directory entry would only add metadata
        if not path.is_file():
            raise PackageError(f"{bundle}: {relative} is not a regular file")
        files.append((relative, path))
    if not files:
        raise PackageError(f"{bundle} holds no files: not a model bundle")
    return sorted(files)


def build_tar(bundle: Path, tar_path: Path) -> tuple[str, int]:
    """Pack `bundle` into `tar_path`; returns its sha256 (lowercase hex) and size in bytes."""
    if bundle.is_symlink() or not bundle.is_dir():
        raise PackageError(f"{bundle} is not a bundle folder")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, path in _bundle_files(bundle):
            data = path.read_bytes()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = FIXED_MTIME
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    content = buffer.getvalue()
    tar_path.parent.mkdir(parents=True, exist_ok=True)
    tar_path.write_bytes(content)
    return hashlib.sha256(content).hexdigest(), len(content)


def file_sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def artifact_path(name: str, version: str, sha256: str) -> str:
    """Where an artifact lives, under a releases folder and under the server's URL alike."""
    return f"artifacts/{name}/{version}/{sha256}.tar"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def build_release(
    name: str,
    version: str,
    tar_path: Path,
    base_url: str,
    private_key: Ed25519PrivateKey,
    rollout: Rollout,
    reason: str,
    previous_version: str | None,
) -> ModelRelease:
    """The signed release of the tar at `tar_path`, as served under `base_url`."""
    sha256, size = file_sha256(tar_path)
    public = signing.public_key_b64(private_key)
    return ModelRelease(
        release_id=str(uuid7()),
        name=name,
        version=version,
        format=BUNDLE_TAR,
        artifact_url=f"{base_url.rstrip('/')}/{artifact_path(name, version, sha256)}",
        sha256=sha256,
        size_bytes=size,
        signature=signing.sign(private_key, signing_payload(name, version, BUNDLE_TAR, sha256)),
        key_id=signing.key_id(public),
        released_at=now_iso(),
        rollout=rollout,
        previous_version=previous_version,
        reason=reason,
    )
