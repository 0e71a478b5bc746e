"""paho's MQTT client, made to cost less per message when messages come in batches of thousands.

paho-mqtt 2.2's network loop handles one incoming packet per `select()`, reading it with three or four
`recv()` calls (the command byte, each byte of the length, then the rest), and `Client.ack` queues one
PUBACK at a time, waking the network thread through its socket pair and sending each 4-byte PUBACK
with a `send()` of its own. At 10,000–20,000 messages/s that is most of the ingest's CPU. Here:

- the socket is read in large chunks and the packets are cut from what was read ahead;
- one pass of the loop handles every packet available (stopping for writes every few thousand, and
  never while bytes are read ahead, which `select()` cannot see);
- `ack_many` queues a batch's PUBACKs as one write: the same bytes on the wire, in the same order.

This leans on four private methods of paho 2.2 (`_sock_recv`, `_packet_read`, `_loop_rc_handle`,
`_packet_queue`). `supported()` says whether the installed paho has them; if not, `BrokerConnection`
uses paho's own client as it is (slower, the same behaviour), and `test_cloud_batching_client.py`
fails so that an upgrade is noticed.
"""

import struct
from collections.abc import Sequence
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import MQTTErrorCode

_PRIVATE_API = ("_sock_recv", "_packet_read", "_loop_rc_handle", "_packet_queue")
_PUBACK = 0x40
_PUBACK_PACKET = struct.Struct("!BBH")  # command, remaining length 2, packet id: paho's own PUBACK


def supported() -> bool:
    return all(callable(getattr(mqtt.Client, name, None)) for name in _PRIVATE_API)


class BatchingClient(mqtt.Client):
    READ_SIZE = 256 * 1024
    PACKETS_PER_PASS = 2000

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_from: Any = None  # the socket the bytes read ahead came from
        self._read_ahead = b""
        self._read_at = 0

    def ack_many(self, mids: Sequence[int]) -> None:
        """PUBACK every QoS 1 message id in `mids`, in that order, as one write."""
        if mids:
            packets = b"".join([_PUBACK_PACKET.pack(_PUBACK, 2, mid) for mid in mids])
            self._packet_queue(_PUBACK, packets, 0, 1)

    def _sock_recv(self, bufsize: int) -> bytes:
        if self._read_from is not self._sock:  # a new connection: nothing read ahead belongs to it
            self._read_from, self._read_ahead, self._read_at = self._sock, b"", 0
        if self._read_at >= len(self._read_ahead):
            data = super()._sock_recv(max(bufsize, self.READ_SIZE))
            if len(data) <= bufsize:
                return data
            self._read_ahead, self._read_at = data, 0
        start = self._read_at
        self._read_at = min(len(self._read_ahead), start + bufsize)
        return self._read_ahead[start : self._read_at]

    def loop_read(self, max_packets: int = 1) -> MQTTErrorCode:
        """Handle every packet available now (paho's own handles one per call, whatever `max_packets`)."""
        handled = 0
        while True:
            if self._sock is None:
                return MQTTErrorCode.MQTT_ERR_NO_CONN
            rc = self._packet_read()
            if rc == MQTTErrorCode.MQTT_ERR_AGAIN:
                return MQTTErrorCode.MQTT_ERR_SUCCESS
            if rc > 0:
                return self._loop_rc_handle(rc)
            handled += 1
            if handled >= self.PACKETS_PER_PASS and self._read_at >= len(self._read_ahead):
                return MQTTErrorCode.MQTT_ERR_SUCCESS
