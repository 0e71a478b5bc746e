"""An MLflow tracking server, a Prefect server and the model-release artifact server as child processes on
free ports (the demo's)."""

import time
from pathlib import Path

import httpx

from devkit.chain import Process
from devkit.mosquitto import free_port


class _Server(Process):
    health_path = "/health"
    ready_status = 200  # the answer to health_path that says the server is up

    def __init__(self, args: list[str], log: Path, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        super().__init__([*args, "--host", "127.0.0.1", "--port", str(self.port)], log, env, own_session=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> None:
        super().start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.args[0]} exited: {self.output()[-2000:]}")
            try:
                if httpx.get(self.url + self.health_path, timeout=2).status_code == self.ready_status:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.args[0]} did not answer {self.health_path} within {timeout:.0f} s")


class MlflowServer(_Server):
    """Runs, the model registry (SQLite) and the artifacts (a folder, served by the server itself)."""

    def __init__(self, folder: Path, log_dir: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        super().__init__(
            [
                "mlflow",
                "server",
                "--backend-store-uri",
                f"sqlite:///{(folder / 'mlflow.db').resolve()}",
                "--artifacts-destination",
                str((folder / "artifacts").resolve()),
                "--workers",
                "1",
            ],
            log_dir / "mlflow.log",
        )


class PrefectServer(_Server):
    """Prefect's API and UI (its database in `folder`); nothing phones home."""

    health_path = "/api/health"

    def __init__(self, folder: Path, log_dir: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        super().__init__(
            ["prefect", "server", "start"],
            log_dir / "prefect.log",
            env=prefect_env(folder),
        )

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"


def prefect_env(home: Path) -> dict[str, str]:
    return {
        "PREFECT_HOME": str(home.resolve()),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "true",
    }


class ReleaseServer(_Server):
    """`aiwebpos-cloud releases serve`: the signed model artifacts the stores download from `folder`."""

    health_path = "/"
    ready_status = 404  # it serves artifacts and nothing else: any answer means it is listening

    def __init__(self, folder: Path, log_dir: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        super().__init__(
            ["aiwebpos-cloud", "releases", "serve", "--dir", str(folder)], log_dir / "releases.log"
        )
