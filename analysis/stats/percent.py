"""Intervals of shares in percent: the one place a count or a published score becomes a
percent interval (Clopper-Pearson, exact; Clopper & Pearson 1934)."""

from __future__ import annotations

from analysis.stats.intervals import clopper_pearson_interval


def share_interval_pct(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Clopper-Pearson interval of ``k / n`` in percent."""
    low, high = clopper_pearson_interval(k, n, confidence=confidence)
    return 100.0 * float(low), 100.0 * float(high)


def score_interval_pct(score_pct: float, n_tasks: int) -> tuple[float, float]:
    """Clopper-Pearson 95% interval (percent) of a published score on ``n_tasks`` tasks,
    using ``k = round(score * n / 100)`` solved tasks."""
    return share_interval_pct(round(score_pct / 100.0 * n_tasks), n_tasks)
