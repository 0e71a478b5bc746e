"""What a benchmark answers: figures beside their physical limit, and the raw runs behind the medians."""

import json
import math
import os
import platform
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

OUT_DIR = Path(__file__).resolve().parent.parent / "var" / "bench"
RUNS = 3  # every figure is the median of this many runs

Better = Literal["higher", "lower"]


@dataclass
class Figure:
    """One number a person reads, with the limit it is judged against (both medians of the same run).

    `ratio` is always "how much of the limit we reach": figure ÷ limit when higher is better (sales/s),
    limit ÷ figure when lower is better (latency), so 1.0 is the limit itself and 0.05 is 20× off it."""

    name: str
    value: float
    unit: str
    better: Better = "lower"
    limit: float | None = None
    limit_label: str = ""
    goal: str = ""
    met: bool | None = None

    @property
    def ratio(self) -> float | None:
        if self.limit is None or self.value <= 0 or self.limit <= 0:
            return None
        return self.value / self.limit if self.better == "higher" else self.limit / self.value


@dataclass
class BenchResult:
    name: str
    figures: list[Figure] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # what makes these figures less trustworthy

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        return figure

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "figures": [asdict(f) | {"ratio": f.ratio} for f in self.figures],
            "details": self.details,
            "warnings": self.warnings,
            "machine": machine(),
        }

    def write(self, out_dir: Path = OUT_DIR) -> Path:
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / f"{self.name}.json"
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")
        return path


def machine() -> dict[str, Any]:
    return {
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_at_end": list(os.getloadavg()),
    }


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    return float(statistics.median(values))


def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)
