"""Release signing and packaging: keys, signatures that bind name and version, a deterministic tar."""

import base64
import os
import stat
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from aiwebpos_cloud.cli import main
from aiwebpos_cloud.releases import signing
from aiwebpos_cloud.releases.package import PackageError, build_release, build_tar
from aiwebpos_contracts.releases import BUNDLE_TAR, Rollout, signing_payload


def bundle(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text('{"format": "aiwebpos-bundle/1", "estimators": ["model"]}')
    (folder / "model.skops").write_bytes(os.urandom(2000))
    return folder


def test_keygen_writes_a_private_key_only_its_owner_reads_and_prints_the_public_key(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["releases", "keygen", "--out", str(tmp_path / "keys")])
    assert result.exit_code == 0, result.output
    private = tmp_path / "keys" / signing.PRIVATE_KEY_FILE
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    public = (tmp_path / "keys" / signing.PUBLIC_KEY_FILE).read_text().strip()
    assert len(base64.b64decode(public)) == 32
    assert public in result.output
    assert signing.key_id(public) in result.output
    assert signing.public_key_b64(signing.load_private_key(private)) == public


def test_keygen_never_replaces_an_existing_key(tmp_path: Path) -> None:
    signing.generate_key_pair(tmp_path)
    before = (tmp_path / signing.PRIVATE_KEY_FILE).read_bytes()
    result = CliRunner().invoke(main, ["releases", "keygen", "--out", str(tmp_path)])
    assert result.exit_code != 0
    assert "exists" in result.output
    assert (tmp_path / signing.PRIVATE_KEY_FILE).read_bytes() == before


def test_a_signature_verifies_only_for_its_own_bytes_and_key(tmp_path: Path) -> None:
    key_path, public = signing.generate_key_pair(tmp_path / "a")
    _, other_public = signing.generate_key_pair(tmp_path / "b")
    key = signing.load_private_key(key_path)
    payload = signing_payload("aiwebpos-fraud", "3", BUNDLE_TAR, "ab" * 32)
    signature = signing.sign(key, payload)
    assert signing.verify(public, payload, signature)
    flipped = bytearray(base64.b64decode(signature))
    flipped[5] ^= 0x01
    assert not signing.verify(public, payload, base64.b64encode(bytes(flipped)).decode())
    assert not signing.verify(public, payload.replace(b"3", b"4"), signature)
    assert not signing.verify(
        public, signing_payload("aiwebpos-forecast", "3", BUNDLE_TAR, "ab" * 32), signature
    )
    assert not signing.verify(other_public, payload, signature)
    assert not signing.verify("not base64!", payload, signature)
    assert len(signing.key_id(public)) == 16


def test_the_same_bundle_always_packs_to_the_same_bytes(tmp_path: Path) -> None:
    folder = bundle(tmp_path / "bundle")
    first, size = build_tar(folder, tmp_path / "one.tar")
    os.utime(folder / "model.skops", (1_000_000, 1_000_000))  # a later download: other mtimes
    (folder / "model.skops").chmod(0o600)
    second, _ = build_tar(folder, tmp_path / "two.tar")
    assert first == second
    assert (tmp_path / "one.tar").read_bytes() == (tmp_path / "two.tar").read_bytes()
    assert size == (tmp_path / "one.tar").stat().st_size
    with tarfile.open(tmp_path / "one.tar") as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == ["manifest.json", "model.skops"]
    assert all(m.isfile() and m.mtime == 0 and m.uid == 0 and m.mode == 0o644 for m in members)


def test_a_bundle_holding_a_symlink_is_refused(tmp_path: Path) -> None:
    folder = bundle(tmp_path / "bundle")
    (folder / "extra.skops").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(PackageError, match="symlink"):
        build_tar(folder, tmp_path / "out.tar")


def test_a_release_carries_the_artifacts_sha256_and_a_signature_over_name_and_version(tmp_path: Path) -> None:
    key_path, public = signing.generate_key_pair(tmp_path / "keys")
    sha256, size = build_tar(bundle(tmp_path / "bundle"), tmp_path / "b.tar")
    release = build_release(
        "aiwebpos-fraud",
        "7",
        tmp_path / "b.tar",
        "http://hq:8200/",
        signing.load_private_key(key_path),
        Rollout(mode="canary", share=0.25),
        "canary 25 %",
        "6",
    )
    assert (release.sha256, release.size_bytes, release.key_id) == (sha256, size, signing.key_id(public))
    assert release.artifact_url == f"http://hq:8200/artifacts/aiwebpos-fraud/7/{sha256}.tar"
    assert release.released_at.endswith("Z")
    payload = signing_payload(release.name, release.version, release.format, release.sha256)
    assert signing.verify(public, payload, release.signature)
