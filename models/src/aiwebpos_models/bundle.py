"""A model bundle: a folder of skops files (the estimators) and `manifest.json` (everything else).

Loading a bundle runs no code from it: skops rebuilds only the types named in `TRUSTED_TYPES` (and
the ones skops trusts itself: numpy arrays, plain containers), and the manifest is JSON. That is the
property a store node needs before it loads a model that came over the network (ARCHITECTURE.md:
"models are data, signed"); the signature over the files comes with the release.
"""

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
FORMAT = "aiwebpos-bundle/1"

# Types beyond skops' own defaults (which cover scikit-learn's estimators) that our estimators hold:
# the fitted trees. A new estimator kind adds its types here, deliberately: a bundle holding anything
# else is refused.
TRUSTED_TYPES: tuple[str, ...] = (
    "sklearn.tree._tree.Tree",  # RandomForestRegressor, IsolationForest
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",  # HistGradientBoostingRegressor
)


def sio() -> Any:  # skops has no type hints
    """skops.io, imported when a bundle is first saved or loaded: importing it walks every estimator
    scikit-learn has (seconds of CPU), which a store node that has no model yet should not pay at start."""
    import skops.io

    return skops.io


class BundleError(ValueError):
    """A folder that is not a loadable bundle (missing files, unknown format, untrusted types)."""


def save_bundle(folder: Path, estimators: Mapping[str, Any], manifest: Mapping[str, Any]) -> Path:
    """Write `estimators` (name → sklearn object) and `manifest` into `folder` (created); returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, estimator in estimators.items():
        sio().dump(estimator, folder / f"{name}.skops")
    whole = {"format": FORMAT, **manifest, "estimators": sorted(estimators)}
    (folder / MANIFEST).write_text(json.dumps(whole, indent=2, sort_keys=True, default=str))
    return folder


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.is_file():
        raise BundleError(f"{folder} holds no {MANIFEST}: not a model bundle")
    manifest: dict[str, Any] = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BundleError(f"{folder}: unknown bundle format {manifest.get('format')!r} (expected {FORMAT})")
    return manifest


def load_bundle(folder: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The estimators and the manifest of a bundle; refuses any type outside `TRUSTED_TYPES`."""
    manifest = read_manifest(folder)
    estimators = {}
    for name in manifest["estimators"]:
        path = folder / f"{name}.skops"
        if not path.is_file():
            raise BundleError(f"{folder}: the manifest names {name}.skops, which is missing")
        untrusted = [t for t in sio().get_untrusted_types(file=path) if t not in TRUSTED_TYPES]
        if untrusted:
            raise BundleError(f"{path.name} holds types this node does not trust: {', '.join(untrusted)}")
        estimators[name] = sio().load(path, trusted=list(TRUSTED_TYPES))
    return estimators, manifest
