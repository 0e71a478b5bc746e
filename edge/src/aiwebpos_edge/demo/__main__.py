"""`make demo`: a demo store node, seeded and served, with its URLs and logins printed."""

import argparse
import shutil
import socket
from pathlib import Path

import uvicorn
from rich.console import Console
from rich.table import Table

from aiwebpos_edge.app import create_app
from aiwebpos_edge.demo.seed import seed_demo_store
from aiwebpos_edge.settings import load_settings


def free_port(preferred: int, host: str) -> int:
    with socket.socket() as sock:
        try:
            sock.bind((host, preferred))
            return preferred
        except OSError:
            sock.bind((host, 0))
            return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(prog="make demo", description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path("var/demo/MSU-01"))
    parser.add_argument("--store-id", default="MSU-01")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    console = Console()
    if args.data_dir.exists():
        shutil.rmtree(args.data_dir)  # every demo starts from the same fresh store
    port = free_port(args.port, args.host)
    settings = load_settings(args.data_dir, host=args.host, port=port)
    with console.status("setting up the demo store…"):
        logins = seed_demo_store(settings, args.store_id)
    base = f"http://{args.host}:{port}"
    console.print(
        f"\n[bold]AIWebPOS demo store node {args.store_id}[/] (Maseru Sunrise Grocers) — data in {args.data_dir}"
    )
    console.print(f"  POS API      {base}/api/v1")
    console.print(f"  OpenAPI      {base}/schema/openapi.json")
    console.print(f"  health       {base}/health")
    table = Table("role", "username", "password", "till PIN", title="logins")
    for login in logins:
        table.add_row(login.role, login.username, login.password, login.pin or "—")
    console.print(table)
    console.print(
        f'  try: curl -s -X POST {base}/api/v1/auth/pin -d \'{{"terminal_id": "T1", "pin": "1234"}}\''
    )
    console.print("  Ctrl-C stops it.\n")
    uvicorn.run(create_app(settings), host=args.host, port=port, log_level="warning")


if __name__ == "__main__":
    main()
