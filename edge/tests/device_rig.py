"""The peripherals of till T1 for tests: simulated scanner, scale and pole display on pseudo-terminals,
a simulated network receipt printer, and a node started with them in its node.toml (the node's app
under uvicorn in this process: it starts in a fraction of a second, a process in several)."""

from contextlib import ExitStack
from pathlib import Path

from aiwebpos_edge.app import create_app
from aiwebpos_edge.settings import NodeSettings, load_settings
from devkit.printer_sim import NetworkPrinterSimulator
from devkit.serial_sim import PoleDisplaySimulator, ScannerSimulator, ToledoScaleSimulator
from devkit.served import served

PROFILES_DIR = Path(__file__).resolve().parents[2] / "firmware_config" / "printers"


class Rig:
    """The devices of till T1, plugged in before the node starts."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir()
        self.scanner = ScannerSimulator(directory, "scanner-T1")
        self.scale = ToledoScaleSimulator(directory, "scale-T1")
        self.display = PoleDisplaySimulator(directory, "display-T1")
        for device in (self.scanner, self.scale, self.display):
            device.plug()
        self.printer = NetworkPrinterSimulator()

    def node_toml(self) -> str:
        return f"""
[devices]
printer_profiles_dir = "{PROFILES_DIR}"
[devices.printers.front]
profile = "epson-tm-t88"
connection = "{self.printer.url}"
[devices.terminals.T1]
printer = "front"
scanner = {{ path = "{self.scanner.path}" }}
scale = {{ path = "{self.scale.path}" }}
display = {{ path = "{self.display.path}" }}
"""

    def close(self) -> None:
        for device in (self.scanner, self.scale, self.display):
            device.close()
        self.printer.close()


class RunningNode:
    def __init__(self, settings: NodeSettings) -> None:
        self._running = ExitStack()
        self.url = self._running.enter_context(served(create_app(settings), "the node"))

    def stop(self) -> None:
        self._running.close()


def start_node(settings: NodeSettings, rig: Rig, mqtt_url: str | None = None) -> RunningNode:
    data_dir = Path(settings.data_dir)
    (data_dir / "node.toml").write_text(rig.node_toml(), encoding="utf-8")
    return RunningNode(load_settings(data_dir, mqtt_url=mqtt_url))
