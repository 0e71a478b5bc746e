"""The serial devices of each terminal: its scanner feeds the till, its scale weighs, its display shows."""

from collections.abc import Callable

from aiwebpos_edge.devices.config import TerminalDevices
from aiwebpos_edge.devices.health import HealthBoard
from aiwebpos_edge.devices.hub import DeviceEvent, TerminalHub
from aiwebpos_edge.devices.serial import cd5220
from aiwebpos_edge.devices.serial.display import PoleDisplay
from aiwebpos_edge.devices.serial.scale import SerialScale
from aiwebpos_edge.devices.serial.scanner import SerialScanner
from aiwebpos_edge.devices.serial.toledo8217 import ScaleReading, offline_reading


class TerminalSerialDevices:
    def __init__(self, terminals: dict[str, TerminalDevices], board: HealthBoard, hub: TerminalHub) -> None:
        self.hub = hub
        self.scanners: dict[str, SerialScanner] = {}
        self.scales: dict[str, SerialScale] = {}
        self.displays: dict[str, PoleDisplay] = {}
        for terminal_id, devices in terminals.items():
            if devices.scanner is not None:
                self.scanners[terminal_id] = SerialScanner(
                    f"scanner-{terminal_id}", terminal_id, devices.scanner, board, self._scanned
                )
            if devices.scale is not None:  # check_devices refused any protocol but toledo-8217
                self.scales[terminal_id] = SerialScale(
                    f"scale-{terminal_id}", terminal_id, devices.scale, board
                )
            if devices.display is not None:
                self.displays[terminal_id] = PoleDisplay(
                    f"display-{terminal_id}", terminal_id, devices.display, board
                )

    def _all(self) -> list[SerialScanner | SerialScale | PoleDisplay]:
        return [*self.scanners.values(), *self.scales.values(), *self.displays.values()]

    def start(self) -> None:
        for device in self._all():
            device.start()

    def stop(self) -> None:
        for device in self._all():
            device.stop()

    def _scanned(self, terminal_id: str, code: str) -> None:
        """From the scanner's thread: to the till of that terminal, which adds it as if typed."""
        self.hub.publish_threadsafe(DeviceEvent(type="scan", terminal_id=terminal_id, code=code))

    def weigh(self, terminal_id: str, timeout_s: float = 1.0) -> ScaleReading:
        """Blocking (call it in a thread): the terminal's scale reading, or why there is none."""
        scale = self.scales.get(terminal_id)
        if scale is None:
            return offline_reading(f"terminal {terminal_id} has no scale")
        return scale.read(timeout_s)

    def show(self, terminal_id: str, screen: Callable[[], cd5220.Screen]) -> None:
        """Draw `screen()` on the terminal's pole display; a terminal without one costs no drawing (this
        runs on every scan)."""
        display = self.displays.get(terminal_id)
        if display is not None:
            display.show(*screen())
