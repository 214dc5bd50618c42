"""analysis.stats.percent: percent intervals of shares and of published scores."""

from __future__ import annotations

import pytest

from analysis.stats.intervals import clopper_pearson_interval
from analysis.stats.percent import score_interval_pct, share_interval_pct


def test_share_interval_is_clopper_pearson_in_percent() -> None:
    low, high = clopper_pearson_interval(82, 138)
    assert share_interval_pct(82, 138) == pytest.approx((100 * low, 100 * high))
    assert share_interval_pct(0, 10)[0] == 0.0 and share_interval_pct(10, 10)[1] == 100.0


def test_score_interval_rounds_the_score_to_tasks_and_narrows_with_n() -> None:
    assert score_interval_pct(78.8, 500) == share_interval_pct(394, 500)
    low, high = score_interval_pct(78.8, 500)
    low_big, high_big = score_interval_pct(78.8, 5000)
    assert low < 78.8 < high and high_big - low_big < high - low
