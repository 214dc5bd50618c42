"""The claims ledger: verdict rules, TOML validation, the CLI, and the real ledger."""

from __future__ import annotations

import argparse
import json
import math
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.claims import entries as claims_entries
from analysis.claims import format as claims_format
from analysis.claims import ledger as claims
from analysis.claims import types as claims_types
from analysis.claims.ledger import judge
from analysis.claims.types import ClaimEntry, Measurement
from analysis.errors import DataError


def make_entry(
    comparison: str = "equal",
    claimed: float | None = 10.0,
    low: float | None = None,
    high: float | None = None,
    tolerance: float = 1.0,
) -> ClaimEntry:
    return ClaimEntry(
        id="toy-claim",
        claim="A toy claim.",
        source="000",
        primary_source="Nobody 2025",
        attribution="correct",
        unit="%",
        comparison=comparison,
        measure="toy:claim_toy_claim",
        notebook="00_toy",
        claimed=claimed,
        claimed_low=low,
        claimed_high=high,
        tolerance=tolerance,
    )


def measured(value: float, interval: tuple[float, float] | None = None) -> Measurement:
    return Measurement(measured=value, interval=interval, unit="%")


# --- judge ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "interval", "expected"),
    [
        (10.0, (8.0, 12.0), "reproduced"),
        (11.0, (9.0, 13.0), "reproduced"),  # the point at the tolerance's edge
        (10.5, None, "reproduced"),  # within the tolerance, no interval needed
        (12.0, (11.0, 13.0), "not rejected"),  # only the interval reaches [9, 11]
        (12.0, (11.0000001, 13.0), "contradicted"),
        (5.0, (4.0, 6.0), "contradicted"),
        (10.0, None, "reproduced"),
        (11.5, None, "contradicted"),  # a census fact outside the tolerance
    ],
)
def test_judge_equal(value: float, interval, expected: str) -> None:
    assert judge(make_entry("equal"), measured(value, interval)) == expected


def test_judge_plausible_range_is_consistent_not_a_non_rejection() -> None:
    entry = make_entry("equal")
    ranged = replace(measured(12.0, (8.0, 13.0)), interval_kind="plausible")
    assert judge(entry, ranged) == "consistent"
    assert judge(entry, replace(ranged, interval=(11.5, 13.0))) == "contradicted"


def test_judge_not_comparable_wins_over_agreement_and_keeps_the_rule() -> None:
    result = replace(measured(10.0), comparable=False, caveat="another scaffold")
    verdict, rule = claims.judge_with_rule(make_entry("equal"), result)
    assert verdict == "not comparable"
    assert "10 lies in the claim's [9, 11]" in rule and "another scaffold" in rule


@pytest.mark.parametrize(
    ("value", "interval", "expected", "rule"),
    [
        (
            12.0,
            (11.0, 13.0),
            "not rejected",
            "12 lies outside the claim's [9, 11] (tolerance 1); "
            "its 95% interval [11, 13] reaches it",
        ),
        (
            5.0,
            (4.0, 6.0),
            "contradicted",
            "5 lies outside the claim's [9, 11] (tolerance 1), and so does its 95% interval [4, 6]",
        ),
        (10.0, None, "reproduced", "10 lies in the claim's [9, 11] (tolerance 1)"),
    ],
)
def test_judge_with_rule_says_why(value, interval, expected, rule) -> None:
    assert claims.judge_with_rule(make_entry("equal"), measured(value, interval)) == (
        expected,
        rule,
    )


def test_judge_equal_counts_float_rounding_as_equal() -> None:
    entry = make_entry("equal", claimed=0.3, tolerance=0.0)
    assert judge(entry, measured(0.1 * 3)) == "reproduced"


@pytest.mark.parametrize(
    ("value", "interval", "expected"),
    [
        (85.0, (81.0, 89.0), "reproduced"),
        (79.0, (75.0, 83.0), "reproduced"),  # the point at claimed - tol
        (79.5, None, "reproduced"),
        (78.0, (75.0, 83.0), "not rejected"),  # only the interval reaches 79
        (77.0, (75.0, 79.0), "not rejected"),  # hi == claimed - tol
        (76.0, (74.0, 78.9), "contradicted"),
        (78.0, None, "contradicted"),
    ],
)
def test_judge_at_least(value: float, interval, expected: str) -> None:
    entry = make_entry("at_least", claimed=80.0, tolerance=1.0)
    assert judge(entry, measured(value, interval)) == expected


@pytest.mark.parametrize(
    ("value", "interval", "expected"),
    [
        (15.0, (11.0, 19.0), "reproduced"),
        (21.0, (17.0, 25.0), "reproduced"),  # the point at claimed + tol
        (20.5, None, "reproduced"),
        (22.0, (21.0, 25.0), "not rejected"),  # lo == claimed + tol
        (24.0, (21.1, 27.0), "contradicted"),
        (22.0, None, "contradicted"),
    ],
)
def test_judge_at_most(value: float, interval, expected: str) -> None:
    entry = make_entry("at_most", claimed=20.0, tolerance=1.0)
    assert judge(entry, measured(value, interval)) == expected


@pytest.mark.parametrize(
    ("value", "interval", "expected"),
    [
        (57.0, (52.0, 62.0), "reproduced"),
        (55.0, None, "reproduced"),  # point exactly at the range's lower end
        (53.0, None, "reproduced"),  # ... within the tolerance below it
        (52.0, (50.0, 56.0), "not rejected"),  # point outside, interval overlaps [53, 61]
        (52.0, None, "contradicted"),
        (51.0, (48.0, 52.9), "contradicted"),  # 52.9 < 53
        (62.0, (61.0, 63.0), "not rejected"),  # 61 touches the upper end
        (65.0, (61.5, 68.0), "contradicted"),
    ],
)
def test_judge_within(value: float, interval, expected: str) -> None:
    entry = make_entry("within", claimed=None, low=55.0, high=59.0, tolerance=2.0)
    assert judge(entry, measured(value, interval)) == expected


def test_judge_not_testable_ignores_values() -> None:
    result = Measurement(measured=None, testable=False, reason="needs private data")
    for comparison in ("equal", "at_least", "at_most"):
        assert judge(make_entry(comparison), result) == "not testable"


def test_judge_testable_without_value_is_an_error() -> None:
    with pytest.raises(DataError, match="no finite value"):
        judge(make_entry(), Measurement(measured=None))
    with pytest.raises(DataError, match="no finite value"):
        judge(make_entry(), Measurement(measured=math.nan))


def test_judge_zero_tolerance_has_no_consistent_band() -> None:
    entry = make_entry("equal", claimed=10.0, tolerance=0.0)
    assert judge(entry, measured(10.0001)) == "contradicted"


RANK = {"reproduced": 0, "not rejected": 1, "consistent": 2, "contradicted": 3}
finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
slack = st.floats(min_value=0, max_value=1e3, allow_nan=False)


@given(
    comparison=st.sampled_from(["equal", "at_least", "at_most", "within"]),
    claimed=finite,
    width=slack,
    value=finite,
    below=slack,
    above=slack,
    tolerance=slack,
    extra=slack,
)
def test_more_tolerance_never_worsens_the_verdict(
    comparison: str,
    claimed: float,
    width: float,
    value: float,
    below: float,
    above: float,
    tolerance: float,
    extra: float,
) -> None:
    low, high = (claimed, claimed + width) if comparison == "within" else (None, None)
    point = None if comparison == "within" else claimed
    result = measured(value, (value - below, value + above))
    strict = make_entry(comparison, claimed=point, low=low, high=high, tolerance=tolerance)
    lenient = replace(strict, tolerance=tolerance + extra)
    assert RANK[judge(lenient, result)] <= RANK[judge(strict, result)]
    # a wider interval never hurts either ("reproduced" depends on the point alone)
    wider = measured(value, (value - below - extra, value + above + extra))
    assert RANK[judge(strict, wider)] <= RANK[judge(strict, result)]


# --- TOML validation ------------------------------------------------------------------------

VALID_CLAIM = """
[[claim]]
id = "toy-claim"
claim = "A toy claim in our words."
source = "000"
primary_source = "Nobody 2025"
attribution = "correct"
denominator = "all toys"
claimed = 10.0
unit = "%"
comparison = "equal"
tolerance = 1.0
measure = "toy_measures:claim_toy_claim"
notebook = "00_toy"
"""


def write_claims(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_load_valid_file(tmp_path: Path) -> None:
    write_claims(tmp_path, "toy.toml", VALID_CLAIM)
    (entry,) = claims_entries.load_claim_entries(tmp_path)
    assert entry.id == "toy-claim"
    assert entry.claimed == 10.0 and entry.tolerance == 1.0
    assert entry.denominator == "all toys"
    assert entry.file.endswith("toy.toml")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('comparison = "equal"', 'comparison = "roughly"', "unknown comparison 'roughly'"),
        ('measure = "toy_measures:claim_toy_claim"\n', "", "missing measure"),
        (
            'measure = "toy_measures:claim_toy_claim"',
            'measure = "toy_measures.claim"',
            "module:function",
        ),
        (
            'measure = "toy_measures:claim_toy_claim"',
            'measure = "toy_measures:measure_it"',
            "must be named 'claim_toy_claim'",
        ),
        ('source = "000"', 'source = "007"', "source must be one of"),
        ('attribution = "correct"', 'attribution = "wrong"', "attribution must be"),
        ("claimed = 10.0", 'claimed = "ten"', "claimed must be a finite number"),
        ("claimed = 10.0", "claimed = true", "claimed must be a finite number"),
        ("claimed = 10.0\n", "", "needs claimed"),
        ("tolerance = 1.0", "tolerance = -1.0", "tolerance must be >= 0"),
        ('id = "toy-claim"', 'id = "Toy Claim"', "id must be"),
        ('notebook = "00_toy"', 'notebook = "toy"', "notebook must look like"),
        ('unit = "%"', 'unit = "%"\ncolour = "red"', "unknown field(s) colour"),
        ('comparison = "equal"', 'comparison = "within"', "needs claimed_low"),
        (
            "claimed = 10.0",
            "claimed = 10.0\nclaimed_low = 12.0\nclaimed_high = 11.0",
            "claimed_low 12.0 > claimed_high 11.0",
        ),
        ("claimed = 10.0", "claimed = 10.0\nclaimed_low = 11.0\nclaimed_high = 12.0", "outside"),
        ("claimed = 10.0", "claimed = 10.0\nclaimed_low = 9.0", "both claimed_low"),
    ],
)
def test_invalid_fields_name_file_and_claim(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    assert old in VALID_CLAIM
    path = write_claims(tmp_path, "bad.toml", VALID_CLAIM.replace(old, new, 1))
    with pytest.raises(DataError) as raised:
        claims_entries.load_claim_entries(tmp_path)
    assert raised.value.where == str(path)
    assert message in raised.value.problem


def test_duplicate_id_across_files_names_both(tmp_path: Path) -> None:
    first = write_claims(tmp_path, "a.toml", VALID_CLAIM)
    second = write_claims(tmp_path, "b.toml", VALID_CLAIM)
    with pytest.raises(DataError) as raised:
        claims_entries.load_claim_entries(tmp_path)
    assert raised.value.where == str(second)
    assert "duplicate claim id 'toy-claim'" in raised.value.problem
    assert str(first) in raised.value.problem


def test_broken_toml_and_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no claims files"):
        claims_entries.load_claim_entries(tmp_path)
    write_claims(tmp_path, "broken.toml", "[[claim]\nid = ")
    with pytest.raises(DataError, match="not valid TOML"):
        claims_entries.load_claim_entries(tmp_path)


def cli_main(argv: list[str]) -> int:
    """``python -m analysis claims ARGS`` without importing the other subcommands' modules."""
    parser = argparse.ArgumentParser()
    claims_format.configure_parser(parser)
    return claims_format.run_cli(parser.parse_args(argv))


# --- measuring, ledger and CLI with synthetic measures ----------------------------------------

TOY_MEASURES = """
from analysis.claims.ledger import Measurement
from analysis.claims import entries as claims_entries
from analysis.claims import format as claims_format
from analysis.claims import types as claims_types

def claim_toy_claim():
    return Measurement(measured=10.4, interval=(9.0, 11.8), unit="%", detail="toy",
                       sources=("toy_source",), extra={"count": 3})

def claim_toy_range():
    return Measurement(measured=70.0, interval=(66.0, 74.0), unit="%", detail="toy")

def claim_toy_private():
    return Measurement(measured=None, testable=False, reason="needs the private set")

def claim_toy_broken():
    raise ValueError("boom")

def claim_toy_wrong_unit():
    return Measurement(measured=1.0, unit="tasks")

def claim_toy_data_error():
    from analysis.errors import DataError
    raise DataError("k, n", "need 0 <= k <= n and n > 0")

def claim_toy_no_caveat():
    return Measurement(measured=1.0, unit="%", comparable=False)
"""

MORE_CLAIMS = """
[[claim]]
id = "toy-range"
claim = "Toys score 55-59%."
source = "004"
primary_source = "Somebody 2024"
attribution = "misattributed: the article credits the wrong lab"
claimed_low = 55.0
claimed_high = 59.0
unit = "%"
comparison = "within"
tolerance = 2.0
measure = "toy_measures:claim_toy_range"
notebook = "00_toy"

[[claim]]
id = "toy-private"
claim = "Private toys are rare."
source = "004"
primary_source = "Somebody 2024"
attribution = "unclear: no source given"
claimed = 20.0
unit = "%"
comparison = "at_most"
measure = "toy_measures:claim_toy_private"
notebook = "00_earlier"
"""


@pytest.fixture
def toy_ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A claims directory with three synthetic claims and their measuring module."""
    module_dir = tmp_path / "modules"
    module_dir.mkdir()
    (module_dir / "toy_measures.py").write_text(TOY_MEASURES, encoding="utf-8")
    monkeypatch.syspath_prepend(str(module_dir))
    claims_directory = tmp_path / "claims"
    write_claims(claims_directory, "a.toml", VALID_CLAIM)
    write_claims(claims_directory, "b.toml", MORE_CLAIMS)
    monkeypatch.setattr(claims_entries, "claims_dir", lambda: claims_directory)
    return claims_directory


def test_ledger_rows_verdicts_and_order(toy_ledger: Path) -> None:
    frame = claims.ledger()
    assert list(frame.columns) == list(claims_types.LEDGER_COLUMNS)
    # ordered by notebook first ("00_earlier" < "00_toy"), then file order
    assert frame["id"].tolist() == ["toy-private", "toy-claim", "toy-range"]
    verdicts = dict(zip(frame["id"], frame["verdict"], strict=True))
    assert verdicts == {
        "toy-private": "not testable",
        "toy-claim": "reproduced",
        "toy-range": "contradicted",
    }
    private = frame.set_index("id").loc["toy-private"]
    assert math.isnan(private["measured"]) and private["reason"] == "needs the private set"
    assert claims.verdict_counts(frame).to_dict() == {
        "reproduced": 1,
        "not rejected": 0,
        "consistent": 0,
        "contradicted": 1,
        "not comparable": 0,
        "not testable": 1,
    }
    rules = dict(zip(frame["id"], frame["rule"], strict=True))
    assert rules["toy-claim"] == "10.4 lies in the claim's [9, 11] (tolerance 1)"
    assert rules["toy-range"] == (
        "70 lies outside the claim's [53, 61] (tolerance 2), and so does its 95% interval [66, 74]"
    )
    assert rules["toy-private"].endswith("needs the private set")


def test_ledger_unknown_id_raises(toy_ledger: Path) -> None:
    with pytest.raises(DataError, match="unknown claim id"):
        claims.ledger(ids=["no-such-claim"])


@pytest.mark.parametrize(
    ("function", "message"),
    [
        ("claim_toy_broken", "raised ValueError: boom"),
        ("claim_toy_wrong_unit", "measured in 'tasks'"),
        ("claim_toy_missing", "not found"),
    ],
)
def test_strict_measure_errors(toy_ledger: Path, function: str, message: str) -> None:
    entry = replace(claims_entries.load_claim_entries()[0], measure=f"toy_measures:{function}")
    with pytest.raises(DataError, match=message):
        claims.ledger(entries=[entry])


def test_measure_errors_name_the_claim_and_its_file(toy_ledger: Path) -> None:
    # issue 15 item 1: a data error deep inside a measuring function names the claim
    entry = replace(
        claims_entries.load_claim_entries()[0], measure="toy_measures:claim_toy_data_error"
    )
    with pytest.raises(DataError) as raised:
        claims.measure(entry)
    assert "toy-claim" in raised.value.problem
    assert "need 0 <= k <= n" in raised.value.problem
    assert str(raised.value.where).endswith(".toml")


def test_not_comparable_needs_a_caveat(toy_ledger: Path) -> None:
    entry = replace(
        claims_entries.load_claim_entries()[0], measure="toy_measures:claim_toy_no_caveat"
    )
    with pytest.raises(DataError, match="without a caveat"):
        claims.measure(entry)


def test_missing_module_is_an_error(toy_ledger: Path) -> None:
    entry = replace(
        claims_entries.load_claim_entries()[0], measure="no_such_module:claim_toy_claim"
    )
    with pytest.raises(DataError, match="cannot import measure module"):
        claims.measure(entry)


def test_cli_json_shape(toy_ledger: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [record["id"] for record in records] == ["toy-private", "toy-claim", "toy-range"]
    required = {
        "id",
        "claim",
        "claimed",
        "claimed_low",
        "claimed_high",
        "unit",
        "measured",
        "interval",
        "verdict",
        "detail",
        "reason",
        "primary_source",
        "attribution",
        "denominator",
    }
    for record in records:
        assert required <= set(record)
        assert record["verdict"] in claims_types.VERDICTS
    by_id = {record["id"]: record for record in records}
    assert by_id["toy-claim"]["interval"] == [9.0, 11.8]
    assert by_id["toy-claim"]["measured"] == 10.4
    assert by_id["toy-claim"]["extra"] == {"count": 3}
    assert by_id["toy-private"]["interval"] is None
    assert by_id["toy-private"]["measured"] is None
    assert by_id["toy-range"]["claimed"] is None
    assert by_id["toy-range"]["claimed_low"] == 55.0
    # the new fields come last, so the existing ones keep their order and bytes
    assert list(by_id["toy-claim"])[-3:] == ["rule", "caveat", "interval_kind"]
    assert by_id["toy-claim"]["caveat"] == ""
    assert by_id["toy-claim"]["interval_kind"] == "confidence"
    assert by_id["toy-private"]["interval_kind"] == ""
    assert by_id["toy-private"]["rule"].startswith("not measurable with public data")


def test_cli_id_filter_csv_and_table(toy_ledger: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["--format", "csv", "--id", "toy-claim", "--id", "toy-range"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("id,claim,")
    assert len(lines) == 3
    assert cli_main(["--id", "toy-claim"]) == 0
    table = capsys.readouterr().out
    assert "toy-claim" in table and "10.4 % [9, 11.8]" in table and "reproduced" in table


def test_cli_refuses_a_broken_measure(toy_ledger: Path) -> None:
    path = toy_ledger / "c.toml"
    path.write_text(
        VALID_CLAIM.replace("toy-claim", "toy-broken").replace(
            "claim_toy_claim", "claim_toy_broken"
        ),
        encoding="utf-8",
    )
    # analysis.cli turns this DataError into exit status 2 with the message on stderr
    with pytest.raises(DataError, match="boom"):
        cli_main(["--format", "json"])


def test_format_helpers() -> None:
    row = {
        "unit": "%",
        "claimed": None,
        "claimed_low": 55.0,
        "claimed_high": 59.0,
        "comparison": "within",
        "measured": 57.25,
        "interval_low": 53.0,
        "interval_high": 61.5,
    }
    assert claims_format.format_claimed(row) == "55-59 %"
    assert claims_format.format_measured(row) == "57.25 % [53, 61.5]"
    row.update(comparison="at_least", claimed=80.0)
    assert claims_format.format_claimed(row) == ">= 80 %"


# --- the real ledger ------------------------------------------------------------------------

REQUIRED_IDS = (
    "audit-sample",
    "hard-unsolvable",
    "difficulty-mix",
    "lines-by-difficulty",
    "repo-concentration",
    "task-age",
    "verified-vs-pro-size",
    "pro-languages",
    "pro-scores",
    "launch-to-saturation",
    "frontier-cluster",
    "granularity",
    "verified-curation",
    "text-overlap",
    "mmlu-guessing",
    "distill-accounts",
    "hydra-accounts",
    "gemini-extraction",
    "distill-vs-eval-scale",
    "traffic-shift",
    "eval-cost",
    "pro-structure",
)

OWN_IDS = (
    "audit-sample",
    "difficulty-mix",
    "lines-by-difficulty",
    "repo-concentration",
    "task-age",
    "verified-curation",
    "launch-to-saturation",
    "frontier-cluster",
    "granularity",
)


def test_committed_claim_files_are_valid() -> None:
    entries = claims_entries.load_claim_entries()
    ids = {entry.id for entry in entries}
    assert set(OWN_IDS) <= ids


@pytest.mark.mirror
def test_own_claims_measured_on_real_data(mirror: Path) -> None:
    frame = claims.ledger(ids=OWN_IDS).set_index("id")
    assert set(frame["verdict"]) <= set(claims_types.VERDICTS)
    testable = frame[frame["verdict"] != "not testable"]
    assert testable["measured"].notna().all()
    # numbers checked by hand against the dataset (see notebook 01)
    assert frame.loc["difficulty-mix", "measured"] == pytest.approx(38.8)
    assert frame.loc["repo-concentration", "measured"] == pytest.approx(83.2)
    assert frame.loc["granularity", "measured"] == pytest.approx(0.2)
    assert frame.loc["task-age", "verdict"] == "contradicted"


@pytest.mark.mirror
def test_full_ledger_has_every_required_id(mirror: Path) -> None:
    entries = claims_entries.load_claim_entries()
    present = {entry.id for entry in entries}
    missing = sorted(set(REQUIRED_IDS) - present)
    assert not missing, f"required claims missing from data/claims/: {', '.join(missing)}"
    frame = claims.ledger()
    assert set(frame["verdict"]) <= set(claims_types.VERDICTS)
    testable = frame[frame["verdict"] != "not testable"]
    assert testable["measured"].notna().all()
    assert (frame.loc[frame["verdict"] == "not testable", "reason"] != "").all()


def test_claim_entry_returns_the_committed_figure_and_rejects_unknown_ids() -> None:
    from analysis.claims.entries import claim_entry

    entry = claim_entry("pro-scores")
    assert (entry.claimed_low, entry.claimed_high, entry.unit) == (55.0, 59.0, "%")
    with pytest.raises(DataError, match="unknown claim id 'no-such-claim'"):
        claim_entry("no-such-claim")


def test_claimed_value_quotes_the_committed_figure() -> None:
    assert (
        claims_entries.claimed_value("audit-sample")
        == claims_entries.claim_entry("audit-sample").claimed
    )
    with pytest.raises(DataError, match="no single claimed value"):
        claims_entries.claimed_value("pro-scores")  # a claimed range, 55-59%
    with pytest.raises(DataError, match="unknown claim id"):
        claims_entries.claimed_value("no-such-claim")


def test_claims_html_escapes_and_keeps_the_compact_columns(toy_ledger: Path) -> None:
    frame = claims.ledger()
    frame.loc[0, "claim"] = "<script>alert(1)</script>"
    compact = claims_format.claims_html(frame)
    assert "<script>" not in compact and "&lt;script&gt;" in compact
    assert "<th>rule</th>" in compact and "<th>caveat</th>" not in compact
    assert 'class="claim-verdict-not-testable"' in compact
    full = claims_format.claims_html(frame, compact=False)
    assert "<th>caveat</th>" in full
    # the compact table points at the full ledger (notebook 00); the full one is that ledger
    assert 'href="00_claims_ledger.ipynb"' in compact and "00_claims_ledger" not in full


@pytest.mark.parametrize(
    ("comparison", "claimed", "value", "expected"),
    [
        ("equal", 3.0, 3.0, "3 equals the claimed 3"),
        ("equal", 0.2, 3.58, "3.58 differs from the claimed 0.2; no interval (an exact value"),
        ("at_least", 80.0, 78.8, "78.8 misses the claim's >= 80"),
        ("at_most", 83.6, 78.8, "78.8 meets the claim's <= 83.6"),
    ],
)
def test_rule_sentences_read_naturally(comparison, claimed, value, expected) -> None:
    entry = make_entry(comparison, claimed=claimed, tolerance=0.0)
    assert claims.judge_with_rule(entry, measured(value))[1].startswith(expected)
