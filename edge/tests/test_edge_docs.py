"""The README tells the truth about settings, rules, commands and permissions (datasette's test_docs idea):
adding one without documenting it fails here."""

import re
from pathlib import Path

import click
import msgspec

from aiwebpos_contracts.commands import STORE_ROLES
from aiwebpos_edge.auth.permissions import PERMISSIONS
from aiwebpos_edge.cli import main
from aiwebpos_edge.config.service import StoreConfig
from aiwebpos_edge.settings import NodeSettings

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_node_setting_is_documented() -> None:
    for field in msgspec.structs.fields(NodeSettings):
        if field.name != "data_dir":  # a flag of every command, not a setting
            assert f"| `{field.name}` |" in README, f"setting {field.name} is not in the README"


def test_every_store_rule_is_documented() -> None:
    for field in msgspec.structs.fields(StoreConfig):
        assert f"| `{field.name}` |" in README, f"store rule {field.name} is not in the README"


def _commands(group: click.Group, prefix: str) -> list[str]:
    found = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += _commands(command, f"{prefix} {name}")
        else:
            found.append(f"{prefix} {name}")
    return found


def test_every_cli_command_is_documented_and_has_help() -> None:
    for command in _commands(main, "aiwebpos-edge"):
        assert f"`{command} " in README, f"{command} is not in the README"
    for command in main.commands.values():
        assert command.help, f"{command.name} has no --help text"


def test_the_permission_table_is_the_matrix() -> None:
    header = "| permission | " + " | ".join(STORE_ROLES) + " |"
    assert header in README
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `([\w.]+)` \|((?: [✓ ]? \|)+)$", README, re.M)}
    for permission, granted in PERMISSIONS.items():
        cells = [c.strip() for c in rows[permission].split("|")[:-1]]
        assert {r for r, c in zip(STORE_ROLES, cells, strict=True) if c == "✓"} == granted, permission
    assert set(rows) == set(PERMISSIONS)
