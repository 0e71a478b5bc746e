"""Which peripherals a node drives: the `[devices]` part of node.toml.

Serial paths should be the stable names the udev rules of `firmware_config/udev/` make
(`/dev/aiwebpos/scanner-T1`), not `/dev/ttyUSB0`, which moves when devices are replugged in another order.
"""

import msgspec


class SerialPortConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    path: str
    baudrate: int = 9600
    bytesize: int = 8
    parity: str = "N"  # "N", "E" or "O"
    stopbits: int = 1


class ScaleConfig(SerialPortConfig, kw_only=True, forbid_unknown_fields=True):
    # The Mettler Toledo 8217 protocol: 9600 baud, 7 data bits, even parity, 1 stop bit by default.
    protocol: str = "toledo-8217"
    bytesize: int = 7
    parity: str = "E"


class PrinterConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    # A file `<profile>.toml` in `printer_profiles_dir` (see firmware_config/printers/).
    profile: str
    # usb://04b8:0e15, serial:///dev/aiwebpos/printer?baudrate=38400, tcp://10.0.0.50:9100, file:///dev/usb/lp0
    connection: str


class TerminalDevices(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    printer: str | None = None  # a name from [devices.printers]
    scanner: SerialPortConfig | None = None
    scale: ScaleConfig | None = None
    display: SerialPortConfig | None = None


class DevicesConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    printer_profiles_dir: str = "/etc/aiwebpos/printers"
    printers: dict[str, PrinterConfig] = {}
    terminals: dict[str, TerminalDevices] = {}
