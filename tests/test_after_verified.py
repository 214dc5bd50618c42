"""Notebook 08's analyses (after Verified) on small synthetic matrices, plus key facts of the
real OpenHands Index in the mirror."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.analyses import after_verified as av
from analysis.claims.entries import load_claim_file
from analysis.data.results import make_results
from analysis.errors import DataError
from analysis.stats.clustered import clustered_mean_intervals

ROOT = Path(__file__).resolve().parents[1]


def synthetic_matrix(n_systems: int = 6, n_tasks: int = 60, seed: int = 0) -> pd.DataFrame:
    """Rasch-shaped 0/1 outcomes: abilities spread, difficulties spread (not upstream rows)."""
    rng = np.random.default_rng(seed)
    ability = np.linspace(1.5, -1.5, n_systems)
    difficulty = np.linspace(-2.0, 2.0, n_tasks)
    p = 1.0 / (1.0 + np.exp(-(ability[:, None] - difficulty[None, :])))
    values = (rng.random(p.shape) < p).astype(float)
    return pd.DataFrame(
        values,
        index=pd.Index([f"agent / model-{i}" for i in range(n_systems)], name="system"),
        columns=pd.Index([f"repo{t % 4}__repo-{t}" for t in range(n_tasks)], name="instance_id"),
    )


def clusters(matrix: pd.DataFrame) -> np.ndarray:
    return np.array([c.split("__")[0] for c in matrix.columns])


# --------------------------------------------------------------------------- model names


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Claude 4.5 Sonnet (20250929)", "claude-sonnet-4-5"),
        ("Claude 4.5 Opus medium (20251101)", "claude-opus-4-5"),
        ("Gemini 3 Pro Preview (2025-11-18)", "Gemini-3-Pro"),
        ("DeepSeek V3.2 Reasoner", "DeepSeek-V3.2-Reasoner"),
        ("Qwen3-Coder 480B/A35B Instruct", "Qwen3-Coder-480B"),
    ],
)
def test_model_key_matches_the_same_model(a: str, b: str) -> None:
    assert av.model_key(a) == av.model_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Claude 4 Opus (20250514)", "claude-opus-4-6"),
        ("Claude 4.5 Sonnet (20250929)", "claude-sonnet-4-6"),
        ("Minimax M2", "MiniMax-M2.1"),
        ("Kimi K2 Instruct", "Kimi-K2-Thinking"),
        ("GPT-5.1 (2025-11-13) (medium reasoning)", "GPT-5.1-Codex"),
        ("Claude 5.4 Opus", "claude-opus-4-5"),
    ],
)
def test_model_key_keeps_different_models_apart(a: str, b: str) -> None:
    assert av.model_key(a) != av.model_key(b)


# --------------------------------------------------------------------------- matrices


def test_results_matrix_counts_unknown_as_not_resolved_and_sorts() -> None:
    frame = pd.DataFrame(
        {
            "system": ["a"] * 3 + ["b"] * 3,
            "task": ["t1", "t2", "t3"] * 2,
            "run": "1",
            "score": [0.0, 1.0, np.nan, 1.0, 1.0, 0.0],
        }
    )
    matrix = av.one_run_matrix(make_results(frame, "toy"))
    assert list(matrix.index) == ["b", "a"]
    assert matrix.loc["a", "t3"] == 0.0
    two_runs = pd.concat([frame, frame.assign(run="2")])
    with pytest.raises(DataError, match="one run"):
        av.one_run_matrix(make_results(two_runs, "toy"))


def test_ceiling_table_flags_systems_against_the_ceiling() -> None:
    matrix = synthetic_matrix(n_tasks=100)
    matrix.iloc[0] = 1.0  # a perfect system
    matrix.iloc[0, :3] = 0.0
    table = av.ceiling_table(matrix, clusters=clusters(matrix))
    ceiling = table.attrs["ceiling_pct"]
    assert ceiling == pytest.approx(83.0)  # 27.6% of 100 = 28 audited, 59.4% of 28 = 17
    top = table.iloc[0]
    assert top["score"] == pytest.approx(97.0)
    assert top["max_defective"] == 3
    assert bool(top["above_ceiling"]) and bool(top["significantly_above"]) == (top["low"] > ceiling)
    assert not table.iloc[-1]["above_ceiling"]
    reference = clustered_mean_intervals(matrix, clusters(matrix))
    assert np.allclose(table["low"], 100 * reference["low"])


def test_clustered_interval_of_mean_matches_the_engine_for_one_row() -> None:
    matrix = synthetic_matrix()
    reference = clustered_mean_intervals(matrix, clusters(matrix)).iloc[0]
    mean, low, high = av.clustered_interval_of_mean(
        matrix.iloc[0].to_numpy(), clusters(matrix), rho=float(reference["rho"])
    )
    assert (mean, low, high) == pytest.approx(
        (reference["score"], reference["low"], reference["high"])
    )
    # an average over systems (fractional values) is accepted and stays in [0, 1]
    mean, low, high = av.clustered_interval_of_mean(matrix.mean().to_numpy(), clusters(matrix))
    assert 0.0 <= low <= mean <= high <= 1.0


def test_unsolved_tasks_counts_who_solves_what() -> None:
    tasks = [f"t{i}" for i in range(5)]
    bash = pd.DataFrame([[1, 0, 0, 0, 1], [1, 1, 0, 0, 0]], index=["b1", "b2"], columns=tasks)
    openhands = pd.DataFrame(
        [[1, 1, 1, 0, 1], [0, 0, 1, 0, 0], [1, 0, 0, 0, 0]],
        index=["o1", "o2", "o3"],
        columns=tasks,
    )
    result = av.unsolved_tasks(
        bash,
        openhands,
        release_dates=pd.Series(pd.to_datetime(["2026-01-01"] * 3), index=["o1", "o2", "o3"]),
        difficulty=pd.Series(["easy", "hard", "hard", "easy", "easy"], index=tasks),
    )
    assert result.bash_unsolved == ["t2", "t3"]
    assert result.now_solved == ["t2"] and result.still_unsolved == ["t3"]
    assert result.n_systems == 5
    assert result.solvers.set_index("system")["solved"].to_dict() == {"o1": 1, "o2": 1, "o3": 0}
    by = result.by_difficulty.set_index("difficulty")
    assert by.loc["hard", "bash_unsolved"] == 1 and by.loc["easy", "still_unsolved"] == 1


def test_unsolved_tasks_rejects_tasks_missing_from_the_index() -> None:
    bash = pd.DataFrame([[0, 1]], index=["b"], columns=["t0", "t1"])
    openhands = pd.DataFrame([[1]], index=["o"], columns=["t1"])
    with pytest.raises(DataError, match="missing"):
        av.unsolved_tasks(bash, openhands, pd.Series(dtype=object), pd.Series(dtype=object))


# --------------------------------------------------------------------------- above the ceiling


def test_difficulty_agreement_high_for_shared_difficulty_and_low_for_noise() -> None:
    a = synthetic_matrix(n_systems=20, n_tasks=80, seed=1)
    b = synthetic_matrix(n_systems=20, n_tasks=80, seed=2)
    agreement = av.difficulty_agreement(a, b, clusters=clusters(a))
    assert agreement.spearman > 0.6 and agreement.low < agreement.spearman < agreement.high
    assert agreement.method == av.AGREEMENT_METHOD
    shuffled = b.copy()
    shuffled.columns = list(np.random.default_rng(3).permutation(b.columns))
    unrelated = av.difficulty_agreement(a, shuffled, clusters=clusters(a))
    assert unrelated.low < 0.3 < agreement.low
    assert -1.0 < unrelated.low < unrelated.high < 1.0


def test_person_fit_flags_a_system_that_ignores_difficulty() -> None:
    matrix = synthetic_matrix(n_systems=12, n_tasks=80, seed=4)
    reversed_pattern = np.zeros(80)
    reversed_pattern[-40:] = 1.0  # solves only the hardest half, fails every easy task
    matrix.loc["agent / recall"] = reversed_pattern
    fit = av.person_fit(matrix, n_draws=300, seed=0).set_index("system")
    assert fit.loc["agent / recall", "p_low"] < 0.01
    assert fit.drop(index="agent / recall")["p_low"].median() > 0.1
    assert set(fit["leaderboard"]) == {"OpenHands Index"}


def test_person_fit_rejects_about_five_percent_of_systems_that_fit() -> None:
    """Type-I error: outcomes drawn from a Rasch model flag few systems at 5%."""
    flagged = []
    for seed in range(3):
        matrix = synthetic_matrix(n_systems=30, n_tasks=80, seed=10 + seed)
        flagged.append(
            float((av.person_fit(matrix, n_draws=200, seed=seed)["p_low"] < 0.05).mean())
        )
    assert np.mean(flagged) <= 0.12


# --------------------------------------------------------------------------- ledger rows


def test_ledger_rows_validate_and_name_their_functions() -> None:
    entries = load_claim_file(ROOT / "data" / "claims" / "after_verified.toml")
    assert {e.id for e in entries} >= {"audit-ceiling-after", "frontier-cluster-after"}
    for entry in entries:
        module, function = entry.measure.split(":")
        assert module == "analysis.analyses.after_verified"
        assert callable(getattr(av, function))
        assert "3015ac612e7196f428e6e8a3948965d32d9a3331" in entry.primary_source


# --------------------------------------------------------------------------- the real index


@pytest.mark.mirror
def test_openhands_index_key_facts(mirror: Path) -> None:
    matrix = av.openhands_matrix()
    assert matrix.shape == (43, 500)
    assert matrix.attrs["n_unknown"] == 9
    table = av.ceiling_table()
    assert table.attrs["ceiling_pct"] == pytest.approx(83.6)
    assert (table["low"] <= table["score"]).all() and (table["score"] <= table["high"]).all()
    assert int(table["significantly_above"].sum()) >= 1
    unsolved = av.unsolved_tasks()
    assert unsolved.n_openhands == 43
    assert len(unsolved.now_solved) + len(unsolved.still_unsolved) == len(unsolved.bash_unsolved)


@pytest.mark.mirror
def test_real_matching_table_and_claims(mirror: Path) -> None:
    matches = av.model_matches().dropna(subset=["openhands"])
    assert ("Claude 4.5 Sonnet (20250929)", "OpenHands / claude-sonnet-4-5") in set(
        zip(matches["bash_only"], matches["openhands"], strict=True)
    )
    assert not matches["bash_only"].str.startswith("Claude 4 Opus").any()
    ceiling = av.claim_audit_ceiling_after()
    assert ceiling.interval[0] <= ceiling.measured <= ceiling.interval[1]
    assert ceiling.extra["implied_ceiling_pct"] == pytest.approx(83.6)


def test_figures_carry_title_source_and_computed_captions() -> None:
    import matplotlib.pyplot as plt

    from analysis.figures import after_verified as figs

    matrix = synthetic_matrix(n_tasks=100)
    table = av.ceiling_table(matrix, clusters=clusters(matrix))
    agreement = av.difficulty_agreement(
        matrix, synthetic_matrix(n_tasks=100, seed=5), clusters=clusters(matrix)
    )
    pairs = pd.DataFrame(
        {
            "system_a": ["x / m"],
            "system_b": ["y / m"],
            "difference": [1.0],
            "low": [-1.0],
            "high": [3.0],
            "p_holm": [0.5],
        }
    )
    built = [
        (figs.figure_ceiling(table), figs.caption_ceiling(table)),
        (figs.figure_difficulty_agreement(agreement), figs.caption_difficulty_agreement(agreement)),
        (figs.figure_scaffold_pairs(pairs, "t", "s"), figs.caption_scaffold_pairs(pairs, "w")),
    ]
    for fig, (caption, alt) in built:
        texts = [t.get_text() for t in fig.texts]
        assert any(t.get_fontweight() == "bold" for t in fig.texts)  # the title block
        assert any(t.startswith("Source: ") for t in texts)
        assert caption and alt
        plt.close(fig)
    assert f"of {len(table)} systems" in figs.caption_ceiling(table)[0]
