"""What a claim and a measurement are: the types the analyses return and the ledger judges.

This module sits below the analyses (they import :class:`Measurement` from here) and does
no I/O; the ledger (:mod:`analysis.claims.ledger`) sits above them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Measurement:
    """What our data says about one claim.

    ``measured`` is the point estimate in the claim's unit; ``interval`` its uncertainty:
    a 95% confidence interval (``interval_kind="confidence"``, unless ``detail`` says
    otherwise) or a range over assumptions or inclusion choices that is not a sampling
    interval (``interval_kind="plausible"``, shown as "plausible range"). A census fact (a
    record, a count of the whole population) has no interval. A claim public data cannot
    test has ``testable=False`` and a ``reason`` that says which data would test it.
    ``caveat`` states what changes the measurement's meaning against the claim (scaffold,
    task set, line counting, date); with ``comparable=False`` the measurement's setting or
    denominator differs from the claim's and ``caveat`` is the reason (required).
    """

    measured: float | None
    interval: tuple[float, float] | None = None
    unit: str = ""
    detail: str = ""
    sources: tuple[str, ...] = ()
    testable: bool = True
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    interval_kind: str = "confidence"
    comparable: bool = True
    caveat: str = ""


#: The verdicts, from strongest support to none (rules in :mod:`analysis.claims.ledger`).
VERDICTS: tuple[str, ...] = (
    "reproduced",
    "not rejected",
    "consistent",
    "contradicted",
    "not comparable",
    "not testable",
)

#: What a measurement's interval is: a 95% confidence interval, or a plausible range (over
#: assumptions or inclusion choices; not a sampling interval).
INTERVAL_KINDS: tuple[str, ...] = ("confidence", "plausible")


#: How a claimed value is compared with a measurement.
COMPARISONS: tuple[str, ...] = ("equal", "at_least", "at_most", "within")


#: The seed articles the claims come from (files in shared/seeds/).
ARTICLES: dict[str, str] = {
    "000": "Latent Space episode summary, Lambert & Raschka, 2026-02-26",
    "004": "Ikesan, 'Large-Scale Unauthorized Distillation of Claude and the Collapse of "
    "SWE-bench Hit on the Same Day', 2026-02",
}


#: Columns of :func:`ledger`, in display order.
LEDGER_COLUMNS: tuple[str, ...] = (
    "id",
    "claim",
    "source",
    "primary_source",
    "attribution",
    "denominator",
    "claimed",
    "claimed_low",
    "claimed_high",
    "unit",
    "comparison",
    "tolerance",
    "measured",
    "interval_low",
    "interval_high",
    "verdict",
    "detail",
    "reason",
    "data_sources",
    "measure",
    "notebook",
    "extra",
    "rule",
    "caveat",
    "interval_kind",
)


@dataclass(frozen=True)
class ClaimEntry:
    """One claim as written in a ``data/claims/*.toml`` file (validated).

    ``claimed`` is a point value in ``unit``; ``claimed_low``/``claimed_high`` a range (needed
    for ``comparison = "within"``). ``tolerance`` is the slack, in ``unit``, beyond the measured
    interval that still counts as consistent. ``measure`` is ``"module:function"``.
    """

    id: str
    claim: str
    source: str
    primary_source: str
    attribution: str
    unit: str
    comparison: str
    measure: str
    notebook: str
    denominator: str = ""
    claimed: float | None = None
    claimed_low: float | None = None
    claimed_high: float | None = None
    tolerance: float = 0.0
    file: str = ""

    @property
    def function_name(self) -> str:
        """The measuring function's required name: ``"claim_" + id`` with ``-`` -> ``_``."""
        return "claim_" + self.id.replace("-", "_")
