"""A fraud model as production trains it (the flow's features, 200 trees), installed on a bench node.

Trained on two weeks of one generated store, then put where a release would have left it
(`DIR/models/aiwebpos-fraud/{version}/` and its `current.json`), so that the node loads it at start.
"""

import hashlib
import tempfile
from datetime import date
from pathlib import Path

from aiwebpos_edge.scoring.bundles import FRAUD
from aiwebpos_edge.scoring.installed import Installed, models_dir, write_pointer
from aiwebpos_models.bundle import MANIFEST
from aiwebpos_models.fraud import FraudModel
from aiwebpos_pipelines.flows.fraud import build_features
from aiwebpos_pipelines.history.generate import generate_history

VERSION = "1"
DAYS = 14


def install_fraud_model(data_dir: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="aiwebpos-bench-fraud-") as tmp:
        lakehouse = Path(tmp) / "lakehouse"
        generate_history(lakehouse, stores=1, days=DAYS, skus=80, seed=1, end=date(2026, 11, 20), workers=1)
        inputs = build_features.fn(lakehouse, DAYS)
    model = FraudModel().fit(inputs["transactions"], inputs["shifts"])
    model_dir = models_dir(data_dir) / FRAUD
    bundle = model.save(model_dir / VERSION, {"version": VERSION})
    sha256 = hashlib.sha256((bundle / MANIFEST).read_bytes()).hexdigest()
    folder = bundle.relative_to(model_dir).as_posix()
    write_pointer(
        model_dir,
        Installed(
            name=FRAUD, version=VERSION, sha256=sha256, loaded_at="2026-11-20T00:00:00.000Z", folder=folder
        ),
    )
