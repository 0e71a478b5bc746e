"""pipelines/README.md documents every command with its options, every flow and every deployment."""

from pathlib import Path

import click

from aiwebpos_cloud.lakehouse.outputs import OUTPUTS
from aiwebpos_pipelines.cli import main
from aiwebpos_pipelines.deployments import CRON
from aiwebpos_pipelines.flows import FLOWS

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
CLOUD_README = (Path(__file__).parents[2] / "cloud" / "README.md").read_text(encoding="utf-8")


def test_every_command_and_its_options_are_in_the_readme() -> None:
    for name, command in main.commands.items():
        assert f"`aiwebpos-pipelines {name}" in README, name
        assert command.help, name
        for parameter in command.params:
            if isinstance(parameter, click.Option) and parameter.name != "help":
                assert parameter.opts[0] in README, f"{name} {parameter.opts[0]}"


def test_every_flow_and_deployment_is_in_the_readme() -> None:
    for name in FLOWS:
        assert f"| `{name}` |" in README, name
    for name in CRON:
        assert f"| `aiwebpos-{name}` |" in README, name


def test_every_model_output_table_is_documented() -> None:
    for spec in OUTPUTS:
        assert f"`{spec.name}`" in README, spec.name
        assert f"| `{spec.name}`" in CLOUD_README, spec.name
