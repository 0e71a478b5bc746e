"""A real Mosquitto broker for tests, configured from firmware_config/mosquitto (the production ACL),
on a free port, that a test can stop, kill and start again to cut the network."""

import getpass
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from devkit.tls import TlsFiles

CONFIG_DIR = Path(__file__).parents[1] / "firmware_config" / "mosquitto"
MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
MOSQUITTO_PASSWD = shutil.which("mosquitto_passwd") or "/usr/bin/mosquitto_passwd"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class MosquittoBroker:
    def __init__(self, directory: Path, users: dict[str, str], tls: TlsFiles | None = None) -> None:
        """With `tls`, a second listener on `tls_port` speaks TLS with that certificate."""
        self.directory = directory
        self.port = free_port()
        self.host = "127.0.0.1"
        self.users = dict(users)
        self.proc: subprocess.Popen[bytes] | None = None
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "data").mkdir(exist_ok=True)
        self._write_passwords()
        template = (CONFIG_DIR / "cloud-broker.conf").read_text(encoding="utf-8")
        rendered = (
            template.replace("@PASSWORD_FILE@", str(directory / "passwords"))
            .replace("@ACL_FILE@", str(CONFIG_DIR / "acl"))
            .replace("@DATA_DIR@", str(directory / "data"))
            .replace("@PORT@", str(self.port))
            .replace("@HOST@", self.host)
        )
        # Run as whoever runs the tests (as root, Mosquitto would switch to its own user and lose access to
        # the temporary directory).
        self.tls_port = free_port() if tls else None
        tls_listener = (
            f"\nlistener {self.tls_port} {self.host}\ncafile {tls.ca}\ncertfile {tls.cert}\nkeyfile {tls.key}\n"
            if tls
            else ""
        )
        extra = (
            tls_listener
            + f"\nuser {getpass.getuser()}\nlog_dest file {directory / 'mosquitto.log'}\nlog_type all\n"
        )
        (directory / "mosquitto.conf").write_text(rendered + extra)

    def _write_passwords(self) -> None:
        path = self.directory / "passwords"
        path.write_text("")
        for user, password in self.users.items():
            subprocess.run(
                [MOSQUITTO_PASSWD, "-b", str(path), user, password], check=True, capture_output=True
            )

    def url(self, user: str) -> str:
        return f"mqtt://{user}:{self.users[user]}@{self.host}:{self.port}"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [MOSQUITTO, "-c", str(self.directory / "mosquitto.conf")],
            stdout=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C meant for the demo or the tests must not stop the broker early
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((self.host, self.port), timeout=0.2):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"mosquitto exited: {self.log()[-2000:]}") from None
                time.sleep(0.02)
        raise RuntimeError("mosquitto did not start listening")

    def stop(self) -> None:
        """A clean stop: the broker saves its persistent sessions and queued messages."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=10)
        self.proc = None

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None

    def wait_subscribed(self, client_id: str, timeout: float = 30) -> None:
        """Until the broker has granted `client_id` a subscription (read off the broker's own log)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if f"Sending SUBACK to {client_id}" in self.log():
                return
            time.sleep(0.05)
        raise RuntimeError(f"{client_id} never subscribed")

    def log(self) -> str:
        path = self.directory / "mosquitto.log"
        return path.read_text(errors="replace") if path.exists() else ""
