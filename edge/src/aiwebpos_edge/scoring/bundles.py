"""From verified artifact bytes to a model in memory: a safe extraction, then the loader of its kind.

The bytes are signed, but a signing key can leak and a pipeline can have a bug: extraction still
refuses anything but plain files and folders below the target (no links, devices, absolute paths or
`..`), and loading goes through `aiwebpos_models.bundle`, which rebuilds only trusted types.
"""

import io
import tarfile
from pathlib import Path, PurePosixPath
from typing import Any

from aiwebpos_models.bundle import MANIFEST, BundleError, load_bundle, read_manifest

FRAUD, FORECAST, PRICING = "aiwebpos-fraud", "aiwebpos-forecast", "aiwebpos-pricing"


class ArtifactError(ValueError):
    """An artifact that cannot become a model; the message is the reason the status reports."""


def extract_artifact(artifact: bytes, into: Path) -> Path:
    """Unpack the tar into `into` (created) and return the bundle folder inside it."""
    into.mkdir(parents=True)
    try:
        # "r:" and not "r:*": the format is an uncompressed tar, and no decompressor runs on what came in.
        with tarfile.open(fileobj=io.BytesIO(artifact), mode="r:") as tar:
            for member in tar.getmembers():
                path = PurePosixPath(member.name)
                if path.is_absolute() or ".." in path.parts or not (member.isfile() or member.isdir()):
                    raise ArtifactError(
                        f"the artifact holds {member.name!r}, which a model bundle never does"
                    )
            tar.extractall(into, filter="data")
    except (tarfile.TarError, OSError) as exc:
        raise ArtifactError(f"the artifact is not a readable tar: {exc}") from exc
    return _bundle_folder(into)


def _bundle_folder(root: Path) -> Path:
    """The bundle's files at the tar's root, or inside its single top folder (`tar -C parent folder`)."""
    if (root / MANIFEST).is_file():
        return root
    children = [child for child in root.iterdir()]
    if len(children) == 1 and (children[0] / MANIFEST).is_file():
        return children[0]
    raise ArtifactError(f"the artifact holds no {MANIFEST}: not a model bundle")


def load_model(name: str, folder: Path) -> Any:
    """The scoring object of model `name` from its bundle folder; ArtifactError when it does not load."""
    # scikit-learn is imported with the first model, not with the node: seconds of a Pi's CPU at start.
    from aiwebpos_models.forecast.model import DemandForecaster
    from aiwebpos_models.fraud import FraudModel

    try:
        if name == FRAUD:
            return FraudModel.load(folder)
        if name == FORECAST:
            estimators, manifest = load_bundle(folder)
            return DemandForecaster.from_parts(estimators["estimator"], manifest)
        if name == PRICING:
            return read_manifest(folder)  # elasticities only: the manifest is the model
        return load_bundle(folder)  # a model this node does not use yet: loaded, so at least checked
    except BundleError as exc:
        raise ArtifactError(f"the bundle is refused: {exc}") from exc
    except Exception as exc:  # whatever skops or a loader raises: the release is refused, not the node
        raise ArtifactError(f"the bundle does not load: {exc}") from exc
