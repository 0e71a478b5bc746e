"""The checks before a model release is loaded, one reason each, and the extraction that writes nothing
outside its folder (pure functions: no broker, no node)."""

import io
import tarfile
from pathlib import Path

import pytest
from model_release_kit import FRAUD, Signer

from aiwebpos_edge.scoring.bundles import ArtifactError, extract_artifact, load_model
from aiwebpos_edge.scoring.verify import check_artifact, check_release, parse_public_key

ARTIFACT = b"a model bundle, as bytes" * 10
LIMIT = 10_000


@pytest.fixture
def signer() -> Signer:
    return Signer()


def test_a_signed_release_and_its_bytes_pass(signer: Signer) -> None:
    release = signer.release(FRAUD, "7", ARTIFACT, "http://cloud/7.tar")
    assert check_release(release, signer.raw_public, LIMIT) is None
    assert check_artifact(release, ARTIFACT, LIMIT) is None


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"format": "pickle"}, "unknown artifact format"),
        ({"size_bytes": LIMIT + 1}, "model_max_bytes"),
        ({"signature": ""}, "not signed"),
        ({"key_id": "0123456789abcdef"}, "trusts only key"),
        ({"signature": "not base64!"}, "not valid base64"),
        ({"version": "8"}, "bad signature"),  # a signature of version 7 replayed for version 8
    ],
)
def test_a_release_is_refused_on_its_face(signer: Signer, change: dict[str, object], reason: str) -> None:
    release = signer.release(FRAUD, "7", ARTIFACT, "http://cloud/7.tar")
    for field, value in change.items():
        setattr(release, field, value)
    refusal = check_release(release, signer.raw_public, LIMIT)
    assert refusal is not None and reason in refusal


def test_a_node_without_a_key_loads_nothing(signer: Signer) -> None:
    release = signer.release(FRAUD, "7", ARTIFACT, "http://cloud/7.tar")
    assert parse_public_key(None) is None and parse_public_key("c2hvcnQ=") is None
    refusal = check_release(release, parse_public_key("c2hvcnQ="), LIMIT)
    assert refusal is not None and "model_public_key" in refusal
    assert parse_public_key(signer.public_b64) == signer.raw_public


def test_bytes_that_differ_from_the_signed_hash_are_refused(signer: Signer) -> None:
    release = signer.release(FRAUD, "7", ARTIFACT, "http://cloud/7.tar")
    flipped = bytes([ARTIFACT[0] ^ 1]) + ARTIFACT[1:]
    assert "tampered" in (check_artifact(release, flipped, LIMIT) or "")
    assert "tampered" in (check_artifact(release, ARTIFACT + b"x", LIMIT) or "")


def _tar(*members: tarfile.TarInfo) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for member in members:
            data = b"{}" if member.isfile() else None
            if data is not None:
                member.size = len(data)
            tar.addfile(member, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


@pytest.mark.parametrize("name", ["../escape.json", "/etc/escape.json"])
def test_an_artifact_reaching_outside_its_folder_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ArtifactError, match="never does"):
        extract_artifact(_tar(tarfile.TarInfo(name)), tmp_path / "out")
    assert not (tmp_path / "escape.json").exists()


def test_an_artifact_with_a_link_is_refused(tmp_path: Path) -> None:
    link = tarfile.TarInfo("manifest.json")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    with pytest.raises(ArtifactError, match="never does"):
        extract_artifact(_tar(link), tmp_path / "out")


def test_an_artifact_that_is_no_bundle_does_not_load(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="not a readable tar"):
        extract_artifact(b"\x1f\x8b compressed or garbage" * 40, tmp_path / "garbage")
    folder = extract_artifact(_tar(tarfile.TarInfo("manifest.json")), tmp_path / "empty-manifest")
    with pytest.raises(ArtifactError, match=r"refused|does not load"):
        load_model(FRAUD, folder)
