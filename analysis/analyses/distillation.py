"""How big is the reported distillation of Claude, and could it hide among evaluations?

A Fermi model with explicit, documented parameter ranges (notebook 06). Every reported
number (exchanges, accounts, per-lab split) is a constant below with its source; every
assumption (tokens per exchange, prices, rate limits) is a range with its justification.
Uncertainty comes from a seeded Monte Carlo over those ranges (log-uniform draws, because
each range spans a multiplicative uncertainty), and :func:`tornado` gives one-at-a-time
sensitivity. The central 95% of draws is a *plausible range* over the assumptions, not a
confidence interval (nothing is sampled from data). Evaluation-scale usage is measured from
real data (:mod:`analysis.analyses.evaluation_runs`).

Measuring functions for the claims ledger (``data/claims/distillation.toml``) are the
``claim_*`` functions at the end.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.analyses.evaluation_runs import bash_only_runs, median_interval
from analysis.claims.entries import claimed_value
from analysis.claims.types import Measurement
from analysis.errors import DataError

# --------------------------------------------------------------------------------------
# Reported numbers (what the sources say; not ours). Those the ledger judges are read from
# data/claims/distillation.toml, where each is recorded once with its citation.
# --------------------------------------------------------------------------------------

#: Anthropic, "Detecting and preventing distillation attacks" (2026-02-23), as summarised by
#: seed 004 and press coverage: "over 16 million exchanges" through "approximately 24,000
#: fraudulent accounts".
REPORTED_EXCHANGES = 16_000_000
#: REPORTED_ACCOUNTS (module attribute, read lazily from data/claims: see ``__getattr__``).
#: Same post: exchanges per lab ("over" each of these).
REPORTED_EXCHANGES_BY_LAB: dict[str, int] = {
    "DeepSeek": 150_000,
    "Moonshot": 3_400_000,
    "MiniMax": 13_000_000,
}
#: Seed 004: one proxy ("hydra cluster") network managed "over 20,000 fraudulent accounts".
#: HYDRA_ACCOUNTS (lazy, from data/claims).
#: Google Threat Intelligence Group (report of 2026-02-12/16): one extraction campaign
#: against Gemini of "over 100,000 prompts".
#: GEMINI_EXTRACTION_PROMPTS (lazy, from data/claims).
#: Seed 000 (Lambert): "true-scale distillation (100B+ tokens)".
#: TRUE_SCALE_TOKENS (lazy, from data/claims; claimed in billions).
#: Seed 000 (Lambert): MiniMax redirected about half its traffic to a new Claude release
#: (Anthropic's post: "within 24 hours").
#: TRAFFIC_SHIFT_SHARE_PCT (lazy, from data/claims).


#: Published figures recorded once in data/claims/distillation.toml, read on first use so
#: that importing this module reads no file: name -> (claim id, conversion).
_PUBLISHED: dict[str, tuple[str, Any]] = {
    "REPORTED_ACCOUNTS": ("distill-accounts", int),
    "HYDRA_ACCOUNTS": ("hydra-accounts", int),
    "GEMINI_EXTRACTION_PROMPTS": ("gemini-extraction", int),
    "TRUE_SCALE_TOKENS": ("distill-vs-eval-scale", lambda billions: billions * 1e9),
    "TRAFFIC_SHIFT_SHARE_PCT": ("traffic-shift", float),
}


def published(name: str) -> float:
    """One published figure of :data:`_PUBLISHED` (e.g. ``"REPORTED_ACCOUNTS"``), read lazily."""
    claim_id, convert = _PUBLISHED[name]
    return convert(claimed_value(claim_id))


def __getattr__(name: str) -> Any:
    # PEP 562: the published figures stay readable as module constants without import-time I/O.
    if name in _PUBLISHED:
        return published(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _reported_accounts(accounts: float | None) -> float:
    return published("REPORTED_ACCOUNTS") if accounts is None else accounts


#: Published reasoning-distillation data sets, in training samples.
#: Bespoke Labs, Bespoke-Stratos-17k (2025-01): 17k reasoning traces distilled from R1.
#: DeepSeek-AI, DeepSeek-R1 (arXiv:2501.12948, sec. 2.3.3 and 2.4): about 800k samples
#: (about 600k reasoning + 200k non-reasoning) used to fine-tune the distilled models.
DISTILLATION_REFERENCES: dict[str, int] = {
    "Bespoke-Stratos-17k": 17_000,
    "DeepSeek-R1 distilled models": 800_000,
}


# --------------------------------------------------------------------------------------
# Assumptions (ours): ranges, each with its reason
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParameterRange:
    """An uncertain quantity: a low-high range, a default (central) value and why."""

    name: str
    low: float
    high: float
    default: float
    unit: str
    source: str

    def __post_init__(self) -> None:
        if not 0 < self.low <= self.default <= self.high:
            raise DataError(
                "analysis.analyses.distillation",
                f"parameter {self.name}: need 0 < low <= default <= high",
            )


#: The Fermi model's assumptions. Defaults are geometric midpoints unless a source gives a
#: central value. Prices are Anthropic list prices per million tokens (Anthropic's pricing
#: page, 2025-2026): Claude Sonnet 4/4.5 $3 input / $15 output, Opus 4.5/4.6 $5 / $25, Opus
#: 4/4.1 (2025) $15 / $75. Batch and cached-input discounts would lower them, fraud-funded
#: accounts may never pay, so the cost is the list-price value of the traffic, not money spent.
PARAMETERS: dict[str, ParameterRange] = {
    p.name: p
    for p in (
        ParameterRange(
            "input_tokens",
            500,
            8_000,
            2_000,
            "tokens per exchange",
            "prompt plus context: a short chat prompt (~500) to an agentic coding turn with a "
            "file and tool history (~8k); the bash-only cost records imply about $0.01 per API "
            "call for Claude Sonnet 4/4.5, i.e. ~3,500 input-token equivalents at $3 per million",
        ),
        ParameterRange(
            "output_tokens_plain",
            200,
            1_500,
            550,
            "tokens per exchange",
            "a direct answer or a code edit without elicited reasoning",
        ),
        ParameterRange(
            "output_tokens_reasoning",
            2_000,
            12_000,
            4_900,
            "tokens per exchange",
            "an answer with elicited step-by-step reasoning (the chain-of-thought elicitation "
            "Anthropic describes); reasoning traces in R1-style data sets run to thousands of "
            "tokens",
        ),
        ParameterRange(
            "reasoning_share",
            0.2,
            1.0,
            0.5,
            "share of exchanges",
            "share of exchanges that elicited reasoning; Anthropic names reasoning extraction "
            "for DeepSeek and agentic coding/tool use for Moonshot and MiniMax",
        ),
        ParameterRange(
            "price_output",
            15.0,
            75.0,
            15.0,
            "$ per million tokens",
            "output list price: Claude Sonnet 4/4.5 $15, Opus 4.5/4.6 $25, Opus 4/4.1 $75 "
            "(2025-2026); input is one fifth of it for every Claude model",
        ),
        ParameterRange(
            "requests_per_minute",
            50,
            4_000,
            50,
            "requests per minute per account",
            "Anthropic API usage tiers: tier 1 allows 50 requests/minute, tier 4 4,000; "
            "fresh fraudulent accounts start at tier 1",
        ),
        ParameterRange(
            "output_tokens_per_minute",
            8_000,
            400_000,
            8_000,
            "output tokens per minute per account",
            "Anthropic API usage tiers: tier 1 about 8k output tokens/minute (Sonnet), tier 4 400k",
        ),
        ParameterRange(
            "duty_cycle",
            0.05,
            1.0,
            0.25,
            "share of time active",
            "accounts that hide among normal traffic are active only part of the time",
        ),
        ParameterRange(
            "eval_runs_per_year",
            50,
            1_000,
            200,
            "full Verified-sized runs per year",
            "a busy evaluation team: ~10-50 models or checkpoints x several scaffolds x "
            "repeated seeds",
        ),
    )
}


#: Every Claude model's list price charges five times as much per output token as per input
#: token ($3/$15, $5/$25, $15/$75), so one price parameter fixes both and no impossible
#: combination is drawn.
OUTPUT_TO_INPUT_PRICE = 5.0


def defaults() -> dict[str, float]:
    """The central value of every assumption, keyed by parameter name."""
    return {name: p.default for name, p in PARAMETERS.items()}


# --------------------------------------------------------------------------------------
# The Fermi model
# --------------------------------------------------------------------------------------


def fermi(
    params: dict[str, float] | pd.DataFrame,
    exchanges: float = REPORTED_EXCHANGES,
    accounts: float | None = None,
) -> dict[str, float] | pd.DataFrame:
    """Derived quantities of a distillation campaign of ``exchanges`` over ``accounts``.

    With I input tokens, O_p plain and O_r reasoning output tokens, reasoning share s:

    - output per exchange  O = s O_r + (1 - s) O_p; tokens per exchange T = I + O
    - total tokens         = exchanges x T (compared with the 100B "true-scale" mark)
    - list-price cost      = exchanges x (I p_out / 5 + O p_out) / 1e6
    - exchanges per account = exchanges / accounts
    - effective rate per account r = duty x min(RPM, OTPM / O)   (exchanges per minute)
    - days needed          = exchanges / (accounts x r) / (60 x 24)

    ``params`` is one dict (returns a dict) or a DataFrame with one draw per row (returns
    a DataFrame), so the same formulas serve the default view and the Monte Carlo.
    """
    accounts = _reported_accounts(accounts)
    frame = pd.DataFrame([params]) if isinstance(params, dict) else params
    missing = [name for name in PARAMETERS if name not in frame.columns]
    if missing:
        raise DataError("analysis.analyses.distillation.fermi", f"missing parameters {missing}")
    share = frame["reasoning_share"]
    output = share * frame["output_tokens_reasoning"] + (1 - share) * frame["output_tokens_plain"]
    tokens = frame["input_tokens"] + output
    rate = frame["duty_cycle"] * np.minimum(
        frame["requests_per_minute"], frame["output_tokens_per_minute"] / output
    )
    result = pd.DataFrame(
        {
            "output_tokens": output,
            "tokens_per_exchange": tokens,
            "total_tokens": exchanges * tokens,
            "total_tokens_billion": exchanges * tokens / 1e9,
            "cost_usd": exchanges
            * (
                frame["input_tokens"] * frame["price_output"] / OUTPUT_TO_INPUT_PRICE
                + output * frame["price_output"]
            )
            / 1e6,
            "exchanges_per_account": exchanges / accounts,
            "exchanges_per_account_per_minute": rate,
            "days_needed": exchanges / (accounts * rate) / (60 * 24),
        }
    )
    return {k: float(v) for k, v in result.iloc[0].items()} if isinstance(params, dict) else result


def sample_parameters(n: int = 10_000, seed: int = 0) -> pd.DataFrame:
    """``n`` seeded draws of every assumption, log-uniform on [low, high].

    Log-uniform (uniform in log) because each range is a multiplicative uncertainty.
    """
    if n < 1:
        raise DataError(
            "analysis.analyses.distillation.sample_parameters", f"n must be >= 1, got {n}"
        )
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            name: np.exp(rng.uniform(np.log(p.low), np.log(p.high), size=n))
            for name, p in PARAMETERS.items()
        }
    )


@functools.lru_cache(maxsize=8)
def _monte_carlo(n: int, seed: int, exchanges: float, accounts: float) -> pd.DataFrame:
    draws = sample_parameters(n, seed)
    return pd.concat([draws, fermi(draws, exchanges, accounts)], axis=1)


def monte_carlo(
    n: int = 10_000,
    seed: int = 0,
    exchanges: float = REPORTED_EXCHANGES,
    accounts: float | None = None,
) -> pd.DataFrame:
    """Fermi outputs for ``n`` seeded parameter draws (one row per draw, inputs included).

    Cached: the same arguments give the same draws; a copy is returned.
    """
    accounts = _reported_accounts(accounts)
    return _monte_carlo(n, seed, float(exchanges), float(accounts)).copy()


def summarise(draws: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """Median and plausible range (2.5th-97.5th percentiles of the draws) of each column."""
    columns = columns or [
        "total_tokens_billion",
        "cost_usd",
        "days_needed",
        "exchanges_per_account",
    ]
    rows = []
    for column in columns:
        values = draws[column].to_numpy(dtype=float)
        low, median, high = np.quantile(values, [0.025, 0.5, 0.975])
        rows.append({"quantity": column, "median": median, "low": low, "high": high})
    return pd.DataFrame(rows)


def share_above(draws: pd.DataFrame, column: str, threshold: float) -> float:
    """Share of Monte Carlo draws whose ``column`` exceeds ``threshold``."""
    return float((draws[column].to_numpy(dtype=float) > threshold).mean())


def tornado(
    output: str = "total_tokens_billion",
    base: dict[str, float] | None = None,
    exchanges: float = REPORTED_EXCHANGES,
    accounts: float | None = None,
) -> pd.DataFrame:
    """One-at-a-time sensitivity of ``output``: each parameter set to its low and high end.

    Returns one row per parameter that moves the output (parameter, low_value,
    high_value, base_value, swing = |high - low|), sorted by swing, largest first: the
    data of a tornado chart.
    """
    accounts = _reported_accounts(accounts)
    base = dict(base or defaults())
    base_value = fermi(base, exchanges, accounts)[output]
    rows = []
    for name, p in PARAMETERS.items():
        at_low = fermi({**base, name: p.low}, exchanges, accounts)[output]
        at_high = fermi({**base, name: p.high}, exchanges, accounts)[output]
        if not np.isclose(at_low, at_high):
            rows.append(
                {
                    "parameter": name,
                    "low_value": at_low,
                    "high_value": at_high,
                    "base_value": base_value,
                    "swing": abs(at_high - at_low),
                }
            )
    frame = pd.DataFrame(
        rows, columns=["parameter", "low_value", "high_value", "base_value", "swing"]
    )
    return frame.sort_values("swing", ascending=False, ignore_index=True)


def training_samples_comparison(
    exchanges_by_lab: dict[str, int] | None = None,
    references: dict[str, int] | None = None,
) -> pd.DataFrame:
    """Each lab's reported exchanges as training samples, against published distillations.

    Assumes one exchange yields at most one training sample (an upper bound on usable
    samples: some exchanges are probes or filtered out). Columns: lab, exchanges, and for
    each reference ``times_<reference>`` (exchanges / reference samples) and
    ``exceeds_<reference>``.
    """
    exchanges_by_lab = exchanges_by_lab or REPORTED_EXCHANGES_BY_LAB
    references = references or DISTILLATION_REFERENCES
    rows = []
    for lab, exchanges in exchanges_by_lab.items():
        row: dict[str, object] = {"lab": lab, "exchanges": exchanges}
        for reference, samples in references.items():
            row[f"times_{reference}"] = exchanges / samples
            row[f"exceeds_{reference}"] = exchanges > samples
        rows.append(row)
    return pd.DataFrame(rows)


def evaluation_scale(
    runs: pd.DataFrame,
    exchanges: float = REPORTED_EXCHANGES,
    accounts: float | None = None,
    runs_per_year: float = PARAMETERS["eval_runs_per_year"].default,
    seed: int = 0,
) -> dict[str, float]:
    """Evaluation traffic against the campaign, from
    :func:`analysis.analyses.evaluation_runs.evaluation_runs` output.

    - calls per run: median over systems (bootstrap 95% interval)
    - runs equal to the campaign = exchanges / calls per run
    - a busy team's yearly calls = runs_per_year x calls per run, as a share of exchanges
    - one run's calls against the campaign's exchanges per account (one account running
      one evaluation makes this many times the per-account distillation traffic)
    """
    accounts = _reported_accounts(accounts)
    calls, calls_lo, calls_hi = median_interval(runs["api_calls"], seed=seed)
    cost, cost_lo, cost_hi = median_interval(runs["cost_usd"], seed=seed)
    per_account = exchanges / accounts
    return {
        "systems": float(len(runs)),
        "calls_per_run": calls,
        "calls_per_run_low": calls_lo,
        "calls_per_run_high": calls_hi,
        "cost_per_run": cost,
        "cost_per_run_low": cost_lo,
        "cost_per_run_high": cost_hi,
        "runs_to_match_campaign": exchanges / calls,
        "runs_to_match_campaign_low": exchanges / calls_hi,
        "runs_to_match_campaign_high": exchanges / calls_lo,
        "busy_team_calls_per_year": runs_per_year * calls,
        "busy_team_share_pct": 100 * runs_per_year * calls / exchanges,
        "run_calls_over_account_exchanges": calls / per_account,
        "runs_per_million_usd": 1e6 / cost,
    }


# --------------------------------------------------------------------------------------
# Claims (data/claims/distillation.toml)
# --------------------------------------------------------------------------------------

_ANTHROPIC = "Anthropic's account-level traffic logs (not public)"


def _interval(draws: pd.DataFrame, column: str) -> tuple[float, float, float]:
    low, median, high = np.quantile(draws[column].to_numpy(dtype=float), [0.025, 0.5, 0.975])
    return float(median), float(low), float(high)


def claim_distill_accounts() -> Measurement:
    """24,000 accounts / 16 million exchanges: not testable; the implied arithmetic is."""
    by_lab_total = sum(REPORTED_EXCHANGES_BY_LAB.values())
    draws = monte_carlo()
    days, days_lo, days_hi = _interval(draws, "days_needed")
    return Measurement(
        measured=None,
        unit="accounts",
        detail="Account counts exist only in Anthropic's logs; we check the arithmetic the "
        "reported numbers imply.",
        testable=False,
        reason="Testing the account and exchange counts needs " + _ANTHROPIC + "; public data "
        "only lets us check internal consistency (per-lab exchanges sum to the total).",
        extra={
            "exchanges_per_account": REPORTED_EXCHANGES / published("REPORTED_ACCOUNTS"),
            "per_lab_exchanges_sum": by_lab_total,
            "per_lab_sum_at_least_total": by_lab_total >= REPORTED_EXCHANGES,
            "days_needed_median": days,
            "days_needed_interval": (days_lo, days_hi),
        },
    )


def claim_hydra_accounts() -> Measurement:
    """One proxy network of 20,000+ accounts: not testable; implied per-account load is."""
    draws = monte_carlo(accounts=published("HYDRA_ACCOUNTS"))
    days, days_lo, days_hi = _interval(draws, "days_needed")
    return Measurement(
        measured=None,
        unit="accounts",
        detail="The proxy network's size is known only to Anthropic; if it alone carried all "
        "16 million exchanges, each account sent about 800.",
        testable=False,
        reason="Needs " + _ANTHROPIC + " linking accounts to the proxy network.",
        extra={
            "exchanges_per_account_if_all_traffic": REPORTED_EXCHANGES
            / published("HYDRA_ACCOUNTS"),
            "share_of_reported_accounts_pct": 100
            * published("HYDRA_ACCOUNTS")
            / published("REPORTED_ACCOUNTS"),
            "days_needed_median": days,
            "days_needed_interval": (days_lo, days_hi),
        },
    )


def claim_gemini_extraction() -> Measurement:
    """Google's 100,000-prompt extraction campaign: not testable; scale comparison is."""
    scale = evaluation_scale(bash_only_runs())
    return Measurement(
        measured=None,
        unit="prompts",
        detail="The prompt count is Google's; we express it in full Verified evaluation runs "
        "(median API calls per bash-only run).",
        sources=("leaderboards",),
        testable=False,
        reason="Needs Google's Gemini API logs (GTIG report, Feb 2026); no public per-prompt "
        "data exists.",
        extra={
            "verified_runs_equivalent": published("GEMINI_EXTRACTION_PROMPTS")
            / scale["calls_per_run"],
            "share_of_anthropic_campaign_pct": 100
            * published("GEMINI_EXTRACTION_PROMPTS")
            / REPORTED_EXCHANGES,
        },
    )


def claim_distill_vs_eval_scale() -> Measurement:
    """Total tokens of the reported 16M exchanges (billions) against the 100B mark."""
    draws = monte_carlo()
    median, low, high = _interval(draws, "total_tokens_billion")
    scale = evaluation_scale(bash_only_runs())
    return Measurement(
        measured=median,
        interval=(low, high),
        interval_kind="plausible",
        unit="billion tokens",
        detail="Monte Carlo (10,000 seeded log-uniform draws) of 16 million exchanges x "
        "tokens per exchange (input plus output, with and without elicited reasoning); "
        "median and plausible range (central 95% of the draws; not a confidence interval).",
        sources=("leaderboards",),
        extra={
            "share_of_draws_above_100B": share_above(
                draws, "total_tokens_billion", published("TRUE_SCALE_TOKENS") / 1e9
            ),
            "default_view_billion_tokens": fermi(defaults())["total_tokens_billion"],
            "verified_run_api_calls_median": scale["calls_per_run"],
            "verified_runs_to_match_campaign": scale["runs_to_match_campaign"],
            "busy_team_share_of_campaign_pct": scale["busy_team_share_pct"],
        },
    )


def claim_traffic_shift() -> Measurement:
    """MiniMax moved about half its traffic to a new model within a day: not testable."""
    return Measurement(
        measured=None,
        unit="%",
        detail="A traffic share over time per account cluster; only the API provider sees it.",
        testable=False,
        reason="Needs " + _ANTHROPIC + ": request counts per model per hour for the accounts "
        "attributed to MiniMax around the Claude release.",
        extra={"minimax_exchanges": REPORTED_EXCHANGES_BY_LAB["MiniMax"]},
    )


def claim_eval_cost() -> Measurement:
    """What one full Verified run costs (median over bash-only systems, $)."""
    runs = bash_only_runs()
    scale = evaluation_scale(runs)
    return Measurement(
        measured=scale["cost_per_run"],
        interval=(scale["cost_per_run_low"], scale["cost_per_run_high"]),
        unit="$",
        detail=f"Median over {len(runs)} bash-only systems of the summed per-task cost of one "
        "mini-SWE-agent run over the 500 Verified tasks, bootstrap 95% interval.",
        sources=("leaderboards",),
        testable=False,
        reason="The claim prices a whole frontier evaluation programme (many benchmarks, "
        "repeated runs, staff, infrastructure); public data prices only single runs. "
        "Testing it needs evaluation budgets of labs or evaluators.",
        extra={
            "one_run_cost_usd_median": scale["cost_per_run"],
            "one_run_cost_usd_interval": (scale["cost_per_run_low"], scale["cost_per_run_high"]),
            "runs_per_million_usd": scale["runs_per_million_usd"],
            "max_run_cost_usd": float(runs["cost_usd"].max()),
            "excluded_systems": list(runs.attrs.get("excluded", [])),
        },
    )


def with_parameter(name: str, value: float) -> dict[str, float]:
    """The default assumptions with one of them changed (for the notebook's sliders)."""
    if name not in PARAMETERS:
        raise DataError(
            "analysis.analyses.distillation.with_parameter", f"unknown parameter {name!r}"
        )
    return {**defaults(), name: float(value)}


def parameters_table() -> pd.DataFrame:
    """The assumptions as a table: parameter, low, default, high, unit, source."""
    return pd.DataFrame(
        [
            {
                "parameter": p.name,
                "low": p.low,
                "default": p.default,
                "high": p.high,
                "unit": p.unit,
                "source": p.source,
            }
            for p in PARAMETERS.values()
        ]
    )
