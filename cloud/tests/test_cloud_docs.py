"""cloud/README.md documents every command, setting, table and view; a new one without docs fails here."""

from pathlib import Path

import click
import msgspec

from aiwebpos_cloud.cli import main
from aiwebpos_cloud.lakehouse.query import VIEWS
from aiwebpos_cloud.lakehouse.tables import ALL_TABLES
from aiwebpos_cloud.settings import IngestSettings

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str) -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += _commands(command, f"{prefix} {name}")
        else:
            found.append((f"{prefix} {name}", command))
    return found


def test_every_command_and_its_options_are_in_the_readme() -> None:
    for name, command in _commands(main, "aiwebpos-cloud"):
        assert f"`{name} " in README, name
        assert command.help, name
        for parameter in command.params:
            if isinstance(parameter, click.Option) and parameter.name != "help":
                assert parameter.opts[0] in README, f"{name} {parameter.opts[0]}"


def test_every_setting_is_in_the_readme() -> None:
    for field in msgspec.structs.fields(IngestSettings):
        if field.name != "lakehouse":
            assert f"| `{field.name}` |" in README, field.name


def test_every_table_and_view_is_in_the_readme() -> None:
    for name in [spec.name for spec in ALL_TABLES] + list(VIEWS):
        assert f"| `{name}`" in README, name
