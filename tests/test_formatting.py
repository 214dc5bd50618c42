"""The shared number formats: intervals, plausible ranges, counts, signs and missing values."""

import math

import pytest

from analysis.formatting import (
    EN_DASH,
    MINUS,
    format_ci,
    format_count,
    format_number,
    format_range,
)


def test_ci_with_positive_bounds_uses_an_en_dash() -> None:
    assert format_ci(78.84, 75.0, 82.26) == f"78.8% (95% CI 75.0{EN_DASH}82.3)"


def test_ci_with_a_negative_bound_writes_to_and_real_minus_signs() -> None:
    text = format_ci(-0.2, -0.28, -0.12, unit="", digits=2)
    assert text == f"{MINUS}0.20 (95% CI {MINUS}0.28 to {MINUS}0.12)"
    assert "-" not in text


def test_ci_straddling_zero_writes_to() -> None:
    assert format_ci(0.01, -0.05, 0.07, unit="", digits=2) == (f"0.01 (95% CI {MINUS}0.05 to 0.07)")


def test_value_rounding_to_zero_has_no_sign() -> None:
    assert format_number(-0.004, 2) == "0.00"
    assert format_ci(0.0, -0.001, 0.3, unit="", digits=2) == f"0.00 (95% CI 0.00{EN_DASH}0.30)"


def test_ci_label_and_level() -> None:
    assert format_ci(5, 4, 6, unit=" points", level=90) == f"5.0 points (90% CI 4.0{EN_DASH}6.0)"
    assert format_ci(5, 4, 6, label="range") == f"5.0% (range 4.0{EN_DASH}6.0)"


def test_range_is_labelled_plausible_not_a_confidence_interval() -> None:
    text = format_range(85.04, 31.96, 192.0, unit=" billion", digits=0)
    assert text == f"85 billion (plausible range 32{EN_DASH}192)"
    assert "CI" not in text


def test_range_with_negative_bound() -> None:
    assert format_range(-1, -3, 2, digits=0) == f"{MINUS}1 (plausible range {MINUS}3 to 2)"


def test_count_is_whole_with_thousands_separators() -> None:
    assert format_count(24000.0) == "24,000"
    assert format_count(1_234_567) == "1,234,567"
    assert format_count(2.6) == "3"


def test_large_numbers_keep_separators() -> None:
    assert format_number(16_000_000.0, 0) == "16,000,000"
    assert format_number(-1234.5, 1) == f"{MINUS}1,234.5"


@pytest.mark.parametrize("missing", [math.nan, None])
def test_missing_values_read_n_a(missing: float | None) -> None:
    assert format_number(missing) == "n/a"
    assert format_count(missing) == "n/a"
    assert format_ci(missing, 1.0, 2.0) == "n/a"
    assert format_ci(78.8, missing, missing) == "78.8% (no interval)"
