"""Ingest settings: flags win over AIWEBPOS_* variables, which win over the TOML file."""

from pathlib import Path

import pytest

from aiwebpos_cloud.settings import IngestSettings, SettingsError, load_settings


def test_flags_then_environment_then_file_then_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "cloud.toml").write_text(
        'mqtt_url = "mqtt://file:pw@file-host:1883"\nbatch_size = 10\nbatch_seconds = 3.5\nclient_id = "from-file"\n'
    )
    monkeypatch.setenv("AIWEBPOS_MQTT_URL", "mqtts://aiwebpos-ingest:ingest-secret@broker.example:8883")
    monkeypatch.setenv("AIWEBPOS_BATCH_SIZE", "500")
    monkeypatch.delenv("AIWEBPOS_CONFIG", raising=False)

    settings = load_settings(tmp_path, batch_size=None, client_id="from-flag")

    assert settings.client_id == "from-flag"
    assert settings.batch_size == 500
    assert settings.batch_seconds == 3.5
    assert settings.receive_maximum == 1000
    broker = settings.broker
    assert (broker.host, broker.port, broker.tls, broker.username) == (
        "broker.example",
        8883,
        True,
        "aiwebpos-ingest",
    )


def test_defaults_give_a_stable_client_id_and_room_for_two_batches(tmp_path: Path) -> None:
    settings = IngestSettings(lakehouse=str(tmp_path))
    assert settings.client_id.startswith("aiwebpos-ingest-")
    assert settings.receive_maximum == 2 * settings.batch_size
    assert IngestSettings(lakehouse="x", batch_size=50_000).receive_maximum == 65_535


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"mqtt_url": "http://broker"}, "is not an MQTT URL"),
        ({"batch_size": 0}, "batch_size must be at least 1"),
        ({"batch_seconds": 0}, "batch_seconds must be more than 0"),
        ({"colour": "blue"}, "unknown field `colour`"),
    ],
)
def test_a_bad_setting_is_named(tmp_path: Path, flags: dict[str, object], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(tmp_path, **flags)


def test_a_named_settings_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(tmp_path, tmp_path / "missing.toml")
