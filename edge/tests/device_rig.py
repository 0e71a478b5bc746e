"""The peripherals of till T1 for tests: simulated scanner, scale and pole display on pseudo-terminals,
a simulated network receipt printer, and a node started with them in its node.toml."""

from pathlib import Path

from aiwebpos_edge.settings import NodeSettings
from devkit.chain import StoreNode
from devkit.printer_sim import NetworkPrinterSimulator
from devkit.serial_sim import PoleDisplaySimulator, ScannerSimulator, ToledoScaleSimulator

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


def start_node(settings: NodeSettings, rig: Rig, mqtt_url: str | None = None) -> StoreNode:
    data_dir = Path(settings.data_dir)
    (data_dir / "node.toml").write_text(rig.node_toml(), encoding="utf-8")
    node = StoreNode(data_dir, mqtt_url=mqtt_url)
    node.start()
    return node
