"""Core tests: report how many PyTorch comparisons and finite-difference checks ran."""
from __future__ import annotations

from typing import Any

import oracle


def pytest_terminal_summary(terminalreporter: Any) -> None:
    stats = oracle.STATS
    if stats["oracle"] or stats["gradcheck"]:
        terminalreporter.write_line(
            f"gradkit core: {stats['oracle']} PyTorch oracle comparisons, "
            f"{stats['gradcheck']} float64 gradchecks")
