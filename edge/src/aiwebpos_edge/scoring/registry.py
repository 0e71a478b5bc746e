"""The models the node scores with, in memory, and the releases it refused.

A swap replaces one dict entry with a fully loaded model: a reader (a sale being scored) gets the old
model or the new one, never a half-loaded one, with no lock on the scoring path.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiwebpos_contracts.status import ModelProblem, ModelVersion


@dataclass(frozen=True)
class LoadedModel:
    name: str
    version: str
    sha256: str
    loaded_at: str
    model: Any  # FraudModel, DemandForecaster, a pricing manifest, …


class ModelRegistry:
    def __init__(self) -> None:
        self._models: dict[str, LoadedModel] = {}
        self._problems: dict[str, ModelProblem] = {}
        self._on_swap: list[Callable[[LoadedModel], None]] = []

    def when_swapped(self, listener: Callable[[LoadedModel], None]) -> None:
        """Call `listener` with every model swapped in from now on."""
        self._on_swap.append(listener)

    def get(self, name: str) -> LoadedModel | None:
        return self._models.get(name)

    def loaded(self) -> list[LoadedModel]:
        return sorted(self._models.values(), key=lambda m: m.name)

    def swap(self, model: LoadedModel) -> None:
        self._models[model.name] = model
        self._problems.pop(model.name, None)  # the model now in use is fine: an older refusal is history
        for listener in self._on_swap:
            listener(model)

    def refuse(self, problem: ModelProblem) -> None:
        self._problems[problem.name] = problem

    def versions(self) -> list[ModelVersion]:
        return [ModelVersion(name=m.name, version=m.version, sha256=m.sha256) for m in self.loaded()]

    def problems(self) -> list[ModelProblem]:
        return sorted(self._problems.values(), key=lambda p: p.name)
