"""The history generator: a realistic Lesotho chain's past, as the events its store nodes would have sent.

`generate_history(lakehouse, stores, days, skus, seed)` writes it into a lakehouse (`aiwebpos-pipelines
generate` on the command line) and answers a `HistorySummary` with the counts and the true price
elasticities of the categories.
"""

from aiwebpos_pipelines.history.generate import (
    HistoryError,
    HistoryProgress,
    HistorySummary,
    generate_history,
)

__all__ = ["HistoryError", "HistoryProgress", "HistorySummary", "generate_history"]
