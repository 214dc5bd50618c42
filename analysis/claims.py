"""The claims ledger: every quantitative claim in the source articles, measured and judged.

(Skeleton: the full ledger is built in issue 5.)  Claim metadata lives in
``data/claims.toml``; each claim names a measuring function ``"module:function"`` that
returns a :class:`Measurement`. Verdicts are computed from measurements, never typed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Measurement:
    """What our data says about one claim.

    ``measured`` is the point estimate in the claim's unit; ``interval`` its uncertainty
    (95% unless ``detail`` says otherwise). A claim public data cannot test has
    ``testable=False`` and a ``reason`` that says which data would test it.
    """

    measured: float | None
    interval: tuple[float, float] | None = None
    unit: str = ""
    detail: str = ""
    sources: tuple[str, ...] = ()
    testable: bool = True
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
