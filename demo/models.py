"""The demo's data-science side, run by `make demo` in the background: a year of a chain's history into
the lakehouse, every model trained (its flow runs in the Prefect server, its runs and versions in the
MLflow server), then the deployments served — nightly and weekly training, retraining on a new store
or on forecast drift — until the demo stops. The champions are released, signed, to the live stores.

The history is of the chain's other stores (MPT-03 onwards): the demo's live stores, MSU-01 and TY-02,
sell in the lakehouse beside it, and the hourly `watch` sees them as stores new to the forecast."""

import argparse
from datetime import date, timedelta
from pathlib import Path

from aiwebpos_pipelines.deployments import serve_deployments
from aiwebpos_pipelines.flows.nightly import train_all
from aiwebpos_pipelines.flows.release import release
from aiwebpos_pipelines.history import generate_history


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m demo.models", description=__doc__)
    parser.add_argument("--lakehouse", type=Path, required=True)
    parser.add_argument("--mlflow-uri", required=True)
    parser.add_argument("--stores", type=int, default=3)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--skus", type=int, default=150)
    args = parser.parse_args()
    summary = generate_history(
        args.lakehouse,
        stores=args.stores,
        days=args.days,
        skus=args.skus,
        seed=1,
        end=date.today() - timedelta(days=1),
        first_store=3,
    )
    print(f"history generated: {summary.describe()}", flush=True)
    trained = train_all(str(args.lakehouse), args.mlflow_uri)
    for name, registered in trained.items():
        print(f"{name}: {registered.describe()}", flush=True)
    print("models trained", flush=True)
    # Signed, to every store: the live nodes were given the public key when they started.
    released = release(str(args.lakehouse), args.mlflow_uri)
    print(f"models released: {released}", flush=True)
    print("serving the deployments", flush=True)
    serve_deployments(str(args.lakehouse), args.mlflow_uri)


if __name__ == "__main__":
    main()
