"""Shared fixtures. Tests build their own synthetic data; the `mirror` fixture gives the
real upstream files when a mirror is configured (CI) and skips otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def _require_mirror() -> bool:
    return os.environ.get("SWEAUDIT_REQUIRE_MIRROR", "") not in ("", "0")


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The read-only upstream mirror (``SWEAUDIT_MIRROR``); skip, or fail in CI, without it."""
    value = os.environ.get("SWEAUDIT_MIRROR")
    if not value or not Path(value).is_dir():
        message = "no upstream data mirror: set SWEAUDIT_MIRROR to a copy of shared/data"
        if _require_mirror():
            pytest.fail(message + " (required because SWEAUDIT_REQUIRE_MIRROR=1)")
        pytest.skip(message)
    return Path(value).resolve()


#: Columns of ``analysis.claims.ledger.ledger()`` that hand-made ledger rows may leave out.
_LEDGER_ROW_DEFAULTS = {
    "primary_source": "",
    "denominator": "",
    "claimed_low": float("nan"),
    "claimed_high": float("nan"),
    "comparison": "equal",
    "tolerance": 0.0,
    "detail": "",
    "reason": "",
    "data_sources": "",
    "measure": "m:f",
    "extra": {},
    "unit": "%",
    "source": "000",
    "notebook": "01_hostile",
}


@pytest.fixture(scope="session")
def make_ledger():
    """Factory: a ledger DataFrame (the columns ``claims.ledger()`` returns) from partial rows."""
    import pandas as pd

    def make(rows: list[dict]) -> pd.DataFrame:
        return pd.DataFrame([{**_LEDGER_ROW_DEFAULTS, **row} for row in rows])

    return make
