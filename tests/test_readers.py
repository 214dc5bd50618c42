"""Every results reader on a small synthetic fixture shaped like the real files, and every
bad-input case: a clear DataError naming the file and the field."""

from __future__ import annotations

import json
import math
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from analysis.data.readers import (
    harness_report,
    helm,
    inspect_ai,
    lm_eval,
    long_table,
    openhands,
    swebench_results,
    terminal_bench,
)
from analysis.data.readers.detect import detect_reader, read_path, read_paths
from analysis.data.readers.options import ReaderOptions
from analysis.errors import DataError

TASKS = ["astropy__astropy-1", "django__django-2", "django__django-3", "sympy__sympy-4"]


def write_json(path: Path, data) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- builders


def make_openhands(root: Path, disagree: bool = False) -> Path:
    systems = {
        "results/model-a": ("OpenHands", "model-a", [True, False, None, True]),
        "results/model-b": ("OpenHands", "model-b", [False, False, True, True]),
        "alternative_agents/acp-x/model-a": ("X CLI", "model-a", [True, True, True, False]),
    }
    for folder, (agent, model, resolved) in systems.items():
        directory = root / folder
        write_json(
            directory / "metadata.json",
            {"agent_name": agent, "model": model, "release_date": "2026-01-05"},
        )
        share = 100 * sum(bool(r) for r in resolved) / len(resolved)
        write_json(
            directory / "scores.json",
            [
                {"benchmark": "swe-bench", "score": share + (30 if share < 70 else -30) * disagree},
                {"benchmark": "gaia", "score": 10.0},
            ],
        )
        write_json(
            directory / "instance_results" / "swe-bench.json",
            {t: {"resolved": r, "cost": 0.5} for t, r in zip(TASKS, resolved, strict=True)},
        )
        write_json(
            directory / "instance_results" / "gaia.json",
            {"g1": {"resolved": True, "cost": 0.1}, "g2": {"resolved": False, "cost": 0.1}},
        )
    (root / "results" / "no-swe").mkdir(parents=True)
    write_json(root / "results" / "no-swe" / "metadata.json", {"model": "no-swe"})
    (root / "results" / "no-swe" / "instance_results").mkdir()
    return root


def _trial(task, k, n, run, resolved):
    return {"task_id": task, "trial_name": f"{task}.{k}-of-{n}.{run}", "is_resolved": resolved}


def make_terminal_bench(root: Path) -> Path:
    tasks = ["hello-world", "eval-mteb", "eval-mteb.hard"]
    # layout 1: one directory per run
    for run in range(1, 4):
        trials = [_trial(t, 1, 1, f"r{run}", (i + run) % 2 == 0) for i, t in enumerate(tasks)]
        if run == 2:
            trials[0]["is_resolved"] = None
        write_json(root / "sub_dirs" / f"run{run}" / "results.json", {"results": trials})
    # layout 1b: stamped files in the submission directory
    for run in range(1, 4):
        trials = [_trial(t, 1, 1, f"s{run}", i == 0) for i, t in enumerate(tasks)]
        write_json(root / "sub_files" / f"2025-08-0{run}__results.json", {"results": trials})
    # layout 2: one file, TASK.K-of-3 trials
    trials = [
        {"task_id": t, "trial_name": f"{t}.{k}-of-3", "is_resolved": k != 2}
        for t in tasks
        for k in range(1, 4)
    ]
    write_json(root / "sub_one" / "results.json", {"results": trials, "accuracy": 6 / 9})
    return root


def make_harness(directory: Path) -> list[Path]:
    report_a = {
        "resolved_ids": TASKS[:2],
        "unresolved_ids": [TASKS[2]],
        "error_ids": [],
        "empty_patch_ids": [],
        "infra_failure_ids": [TASKS[3]],
        "ambiguous_failure_ids": [],
    }
    report_b = {
        "resolved_ids": [TASKS[0]],
        "unresolved_ids": [TASKS[1]],
        "error_ids": [TASKS[2]],
        "empty_patch_ids": [TASKS[3]],
    }
    return [
        write_json(directory / "model-a.run1.json", report_a),
        write_json(directory / "model-b.run1.json", report_b),
    ]


def make_leaderboard(path: Path) -> Path:
    def entry(name, resolved, published):
        return {
            "name": name,
            "folder": name.lower(),
            "date": "2025-06-01",
            "resolved": published,
            "per_instance_details": {
                t: {"resolved": r, "cost": 0.1, "api_calls": 3}
                for t, r in zip(TASKS, resolved, strict=True)
            },
        }

    boards = {
        "leaderboards": [
            {
                "name": "bash-only",
                "results": [
                    entry("Alpha", [True, True, False, False], 50.0),
                    entry("Beta", [True, False, False, False], 25.0),
                    entry("Broken", [False, False, False, False], 75.0),
                ],
            }
        ]
    }
    return write_json(path, boards)


def make_inspect_eval(path: Path, model: str = "openai/gpt-x") -> Path:
    samples = {
        "samples/q1_epoch_1.json": {"id": "q1", "epoch": 1, "scores": {"match": {"value": "C"}}},
        "samples/q1_epoch_2.json": {"id": "q1", "epoch": 2, "scores": {"match": {"value": "I"}}},
        "samples/q2_epoch_1.json": {"id": "q2", "epoch": 1, "scores": {"match": {"value": "P"}}},
        "samples/q2_epoch_2.json": {"id": "q2", "epoch": 2, "scores": {"match": {"value": 1}}},
        "samples/q3_epoch_1.json": {"id": "q3", "epoch": 1, "scores": {"match": {"value": "N"}}},
        "samples/q3_epoch_2.json": {"id": "q3", "epoch": 2, "error": "boom"},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("header.json", json.dumps({"eval": {"model": model, "task": "qa"}}))
        for name, sample in samples.items():
            archive.writestr(name, json.dumps(sample))
    return path


def make_lm_eval(root: Path) -> Path:
    for model, values in (("org/model-a", [1.0, 0.0, 1.0]), ("org/model-b", [0.0, 0.0, 1.0])):
        directory = root / model.replace("/", "__")
        date = "2024-05-01T10-00-00.123456"
        write_json(directory / f"results_{date}.json", {"model_name": model, "results": {}})
        lines = [
            json.dumps(
                {"doc_id": i, "doc_hash": f"h{i}", "acc": v, "metrics": ["acc"], "filter": "none"}
            )
            for i, v in enumerate(values)
        ]
        (directory / f"samples_arc_easy_{date}.jsonl").write_text("\n".join(lines) + "\n")
    return root


def make_helm(root: Path) -> Path:
    for model, values in (("openai/gpt-x", [1.0, 0.0, 1.0]), ("meta/llama-y", [0.0, 1.0, 1.0])):
        directory = root / f"mmlu:subject=anatomy,model={model.replace('/', '_')}"
        write_json(
            directory / "run_spec.json",
            {
                "name": f"mmlu:subject=anatomy,model={model.replace('/', '_')}",
                "adapter_spec": {"model": model},
            },
        )
        stats = [
            {
                "instance_id": f"id{i}",
                "train_trial_index": 0,
                "stats": [
                    {
                        "name": {"name": "exact_match", "split": "test"},
                        "count": 1,
                        "sum": v,
                        "mean": v,
                    },
                    {
                        "name": {
                            "name": "exact_match",
                            "split": "test",
                            "perturbation": {"name": "typos"},
                        },
                        "count": 1,
                        "sum": 0,
                        "mean": 0,
                    },
                ],
            }
            for i, v in enumerate(values)
        ]
        write_json(directory / "per_instance_stats.json", stats)
    return root


# --------------------------------------------------------------------------- readers


def test_long_table_formats_and_column_options(tmp_path):
    frame = pd.DataFrame(
        {
            "model": ["A", "A", "B", "B"],
            "item": ["t1", "t2", "t1", "t2"],
            "pass": [1.0, 0.25, 0.0, None],
            "repo": ["r1", "r2", "r1", "r2"],
        }
    )
    options = ReaderOptions(task="item", system="model", score="pass", cluster="repo")
    paths = [tmp_path / "r.csv", tmp_path / "r.jsonl", tmp_path / "r.parquet"]
    frame.to_csv(paths[0], index=False)
    frame.to_json(paths[1], orient="records", lines=True)
    frame.to_parquet(paths[2])
    for path in paths:
        assert detect_reader(path) == "long_table"
        results = long_table.read(path, options)
        assert results.systems == ["A", "B"]
        assert results.frame["score"].isna().sum() == 1  # an empty cell is unknown
        assert set(results.frame["cluster"]) == {"r1", "r2"}


def test_long_table_missing_column_names_file_and_option(tmp_path):
    path = tmp_path / "r.csv"
    pd.DataFrame({"system": ["A"], "task": ["t"], "score": [1]}).to_csv(path, index=False)
    with pytest.raises(DataError, match=r"r\.csv: missing column\(s\) 'resolved' \(--score\)"):
        long_table.read(path, ReaderOptions(score="resolved"))


def test_long_table_boolean_scores(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("system,task,score\nA,t1,True\nA,t2,false\n")
    assert long_table.read(path).frame["score"].tolist() == [1.0, 0.0]


def test_harness_reports_keep_infrastructure_failures_apart(tmp_path):
    paths = make_harness(tmp_path)
    assert detect_reader(paths[0]) == "harness_report"
    results = read_paths(paths)
    frame = results.frame.set_index(["system", "task"])["score"]
    assert frame[("model-a", TASKS[3])] != frame[("model-a", TASKS[3])]  # NaN: unknown
    assert frame[("model-b", TASKS[2])] == 0.0 and frame[("model-b", TASKS[3])] == 0.0
    assert any("infra_failure_ids" in note for note in results.notes)


def test_harness_report_errors(tmp_path):
    bad = write_json(tmp_path / "m.json", {"resolved_ids": ["x"], "unresolved_ids": ["x"]})
    with pytest.raises(DataError, match=r"m\.json: instance 'x' is in both"):
        harness_report.read(bad)
    missing = write_json(tmp_path / "n.json", {"resolved_ids": ["x"]})
    with pytest.raises(DataError, match=r"n\.json: missing required field 'unresolved_ids'"):
        harness_report.read(missing)


def test_swebench_leaderboard_reuses_the_loader_and_excludes_inconsistent(tmp_path):
    path = make_leaderboard(tmp_path / "leaderboards.json")
    assert detect_reader(path) == "swebench_results"
    with pytest.warns(UserWarning, match="Broken"):
        results = swebench_results.read(path)
    assert results.systems == ["Alpha", "Beta"]
    assert any("Broken: excluded" in note for note in results.notes)
    assert results.frame["cluster"].iloc[0] == "astropy/astropy"


def test_openhands_tree(tmp_path):
    root = make_openhands(tmp_path / "oh")
    assert detect_reader(root) == "openhands"
    results = openhands.read(root)
    assert results.systems == ["X CLI / model-a", "OpenHands / model-a", "OpenHands / model-b"]
    assert results.n_unknown == 1  # resolved: null is unknown, not a failure
    assert results.has("system_date") and results.has("cluster")
    assert any("without swe-bench" in note for note in results.notes)
    assert any("3 of 3 systems" in note for note in results.notes)
    gaia = openhands.read(root, ReaderOptions(benchmark="gaia"))
    assert sorted(pd.unique(gaia.frame["task"])) == ["g1", "g2"]


def test_openhands_reports_published_score_disagreement(tmp_path):
    results = openhands.read(make_openhands(tmp_path / "oh", disagree=True))
    assert sum("disagrees with the per-instance share" in note for note in results.notes) == 3


def test_openhands_missing_field(tmp_path):
    root = make_openhands(tmp_path / "oh")
    write_json(root / "results/model-b/instance_results/swe-bench.json", {"x": {"cost": 1}})
    with pytest.raises(DataError, match=r"swe-bench\.json: missing required field 'resolved'"):
        openhands.read(root)


def test_terminal_bench_both_layouts_and_nulls(tmp_path):
    root = make_terminal_bench(tmp_path / "tb")
    assert detect_reader(root) == "terminal_bench"
    results = terminal_bench.read(root)
    assert results.systems == ["sub_dirs", "sub_files", "sub_one"]
    runs = results.frame.groupby("system")["run"].nunique().to_dict()
    assert runs == {"sub_dirs": 3, "sub_files": 3, "sub_one": 3}
    assert results.n_unknown == 1
    one = results.frame[results.frame["system"] == "sub_one"]
    assert one[one["run"] == "2"]["score"].eq(0.0).all()  # K parsed from TASK.K-of-3
    assert any("is_resolved=null" in note for note in results.notes)


def test_terminal_bench_missing_field(tmp_path):
    path = write_json(
        tmp_path / "s" / "results.json",
        {"results": [{"task_id": "x", "is_resolved": True}, {"task_id": "y"}]},
    )
    with pytest.raises(DataError, match=r"results\.json: missing required field 'is_resolved'"):
        terminal_bench.read(path)


def test_inspect_eval_zip_and_json_log(tmp_path):
    path = make_inspect_eval(tmp_path / "logs" / "a.eval")
    assert detect_reader(path) == "inspect_ai"
    results = inspect_ai.read(path)
    scores = results.frame.set_index(["task", "run"])["score"]
    assert scores[("q1", "1")] == 1.0 and scores[("q1", "2")] == 0.0
    assert scores[("q2", "1")] == 0.5 and scores[("q3", "1")] == 0.0
    assert math.isnan(scores[("q3", "2")])  # an errored sample is unknown
    log = write_json(
        tmp_path / "b.json",
        {
            "eval": {"model": "m/b", "task": "qa"},
            "samples": [{"id": "q1", "epoch": 1, "scores": {"s": {"value": True}}}],
        },
    )
    assert detect_reader(log) == "inspect_ai"
    assert inspect_ai.read(log).frame["score"].tolist() == [1.0]


def test_inspect_errors(tmp_path):
    path = tmp_path / "x.eval"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("samples/a.json", "{}")
    with pytest.raises(DataError, match=r"x\.eval: missing required member 'header.json'"):
        inspect_ai.read(path)
    log = write_json(
        tmp_path / "c.json",
        {"eval": {"model": "m"}, "samples": [{"id": 1, "scores": {"s": {"value": "maybe"}}}]},
    )
    with pytest.raises(DataError, match=r"c\.json: sample 1: score value 'maybe'"):
        inspect_ai.read(log)


def test_lm_eval_samples(tmp_path):
    root = make_lm_eval(tmp_path / "out")
    assert detect_reader(root) == "lm_eval"
    results = lm_eval.read(root)
    assert sorted(results.systems) == ["org/model-a", "org/model-b"]
    assert sorted(pd.unique(results.frame["task"])) == ["arc_easy/0", "arc_easy/1", "arc_easy/2"]


def test_lm_eval_errors(tmp_path):
    root = make_lm_eval(tmp_path / "out")
    sample = next((root / "org__model-b").glob("samples_*.jsonl"))
    sample.write_text(json.dumps({"doc_id": 0, "doc_hash": "other", "acc": 1.0}) + "\n")
    with pytest.raises(DataError, match="doc_hash of 'arc_easy/0' differs"):
        lm_eval.read(root)
    sample.write_text(json.dumps({"doc_hash": "h0", "acc": 1.0}) + "\n")
    with pytest.raises(DataError, match=r"samples_arc_easy_.*\.jsonl:1: missing required field"):
        lm_eval.read(root)


def test_helm_runs(tmp_path):
    root = make_helm(tmp_path / "runs")
    assert detect_reader(root) == "helm"
    results = helm.read(root)
    assert sorted(results.systems) == ["meta/llama-y", "openai/gpt-x"]
    assert results.frame["task"].iloc[0] == "mmlu:subject=anatomy/id0"
    assert results.frame["score"].sum() == 4.0  # the perturbed stat is ignored


def test_helm_errors(tmp_path):
    root = make_helm(tmp_path / "runs")
    with pytest.raises(DataError, match="missing stat 'f1'"):
        helm.read(root, ReaderOptions(metric="f1"))
    next(root.glob("*/run_spec.json")).unlink()
    with pytest.raises(DataError, match=r"per_instance_stats\.json: missing run_spec\.json"):
        helm.read(root)


# --------------------------------------------------------------------------- detection


def test_directory_of_mixed_files_is_combined(tmp_path):
    make_harness(tmp_path / "reports")
    results = read_path(tmp_path / "reports")
    assert results.systems == ["model-a", "model-b"]


def test_reader_override(tmp_path):
    path = tmp_path / "r.txt"
    pd.DataFrame({"system": ["A"], "task": ["t"], "score": [1]}).to_csv(path, index=False)
    with pytest.raises(DataError, match="unrecognised results format"):
        read_path(path)
    with pytest.raises(DataError, match=r"r\.txt: cannot parse as txt"):
        read_path(path, reader="long_table")
    with pytest.raises(DataError, match="unknown reader 'nope'"):
        read_path(path, reader="nope")


@pytest.mark.parametrize("name", ["empty.csv", "empty.json", "empty.jsonl"])
def test_empty_file(tmp_path, name):
    path = tmp_path / name
    path.write_text("")
    with pytest.raises(DataError, match=f"{name}: empty file"):
        read_path(path)


def test_directory_with_no_recognised_results(tmp_path):
    (tmp_path / "notes.md").write_text("# nothing here")
    write_json(tmp_path / "config.json", {"a": 1})
    with pytest.raises(DataError, match="no recognised results in this directory"):
        read_path(tmp_path)


def test_missing_path():
    with pytest.raises(DataError, match="no such file or directory"):
        read_path("/nonexistent/results.csv")


# --------------------------------------------------------------------------- pinning


def pin_as_source(monkeypatch, cache: Path, folder: str, name: str) -> None:
    """Register every file now under ``cache/folder`` as the multi-file source ``name`` (a
    temporary registry), so the readers treat that folder as a registered cache folder."""
    import hashlib

    entries = []
    for file in sorted(p for p in (cache / folder).rglob("*") if p.is_file()):
        data = file.read_bytes()
        entries.append(
            f'[[sources.{name}.files]]\npath = "{file.relative_to(cache).as_posix()}"\n'
            f'url = "https://example.org/{file.name}"\n'
            f'sha256 = "{hashlib.sha256(data).hexdigest()}"\nsize = {len(data)}\n'
        )
    registry = cache.parent / "sources.toml"
    registry.write_text(
        f'[sources.{name}]\ndescription = "d"\nlicence = "l"\nrepo = "o/r"\n'
        f'commit = "{"c" * 40}"\n' + "\n".join(entries),
        encoding="utf-8",
    )
    monkeypatch.setenv("SWEAUDIT_SOURCES", str(registry))
    monkeypatch.setenv("SWEAUDIT_CACHE", str(cache))
    monkeypatch.delenv("SWEAUDIT_MIRROR", raising=False)


def test_a_stray_file_in_a_registered_cache_folder_is_never_data(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    make_terminal_bench(cache / "tb")
    pin_as_source(monkeypatch, cache, "tb", "terminal_bench")
    stray = {"results": [_trial("hello-world", 1, 1, "x", True)]}
    write_json(cache / "tb" / "sub_stray" / "2025-09-01__results.json", stray)
    assert "sub_stray" not in terminal_bench.read(cache / "tb").systems  # the cache: pinned only
    assert "sub_stray" not in read_path(cache / "tb").systems
    assert "sub_stray" not in terminal_bench.read(cache / "tb" / "sub_one").systems
    elsewhere = tmp_path / "copy"
    make_terminal_bench(elsewhere)
    write_json(elsewhere / "sub_stray" / "2025-09-01__results.json", stray)
    assert "sub_stray" in terminal_bench.read(elsewhere).systems  # a folder the user chose


def test_openhands_in_a_registered_cache_reads_only_pinned_systems(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    make_openhands(cache / "oh")
    pin_as_source(monkeypatch, cache, "oh", "openhands_index")
    before = openhands.read(cache / "oh").systems
    extra = cache / "oh" / "results" / "model-z"
    write_json(extra / "metadata.json", {"agent_name": "Stray", "model": "model-z"})
    write_json(
        extra / "instance_results" / "swe-bench.json", {t: {"resolved": True} for t in TASKS}
    )
    assert openhands.read(cache / "oh").systems == before


def test_a_tampered_pinned_file_is_never_read(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    make_terminal_bench(cache / "tb")
    pin_as_source(monkeypatch, cache, "tb", "terminal_bench")
    target = cache / "tb" / "sub_one" / "results.json"
    target.write_text(target.read_text().replace("true", "false"))
    (tmp_path / "mirror").mkdir()  # nothing to restore it from
    monkeypatch.setenv("SWEAUDIT_MIRROR", str(tmp_path / "mirror"))
    with pytest.raises(DataError, match=r"missing from the mirror.*failed the sha256 check"):
        terminal_bench.read(cache / "tb")
    assert "false" in target.read_text()  # left as is, and not read


def test_published_openhands_score_outside_0_100_is_refused(tmp_path):
    root = make_openhands(tmp_path / "oh")
    scores = root / "results" / "model-b" / "scores.json"
    write_json(scores, [{"benchmark": "swe-bench", "score": 250}])
    with pytest.raises(DataError, match=r"scores\.json: swe-bench score 250\.0 is outside"):
        openhands.read(root)


def test_negative_openhands_cost_is_refused(tmp_path):
    root = make_openhands(tmp_path / "oh")
    results = root / "results" / "model-b" / "instance_results" / "swe-bench.json"
    write_json(results, {t: {"resolved": True, "cost": -1.0} for t in TASKS})
    with pytest.raises(DataError, match=r"swe-bench\.json: 4 cost value\(s\) outside \[0, inf\]"):
        openhands.read(root)


def test_terminal_bench_accuracy_outside_0_1_is_refused(tmp_path):
    root = make_terminal_bench(tmp_path / "tb")
    document = json.loads((root / "sub_one" / "results.json").read_text())
    document["accuracy"] = 6.0
    write_json(root / "sub_one" / "results.json", document)
    with pytest.raises(DataError, match=r"sub_one/results\.json: accuracy 6\.0 is outside"):
        terminal_bench.read(root)


def test_negative_cost_in_a_long_table_is_refused(tmp_path):
    from analysis.data.results import make_results

    frame = pd.DataFrame(
        {"system": ["a", "b"], "task": ["t", "t"], "run": "1", "score": 1.0, "cost": [1.0, -2.0]}
    )
    with pytest.raises(DataError, match=r"x\.csv: 1 cost value\(s\) .* -2\.0 for system 'b'"):
        make_results(frame, "x.csv")


def test_openhands_resolved_other_than_true_false_null_is_refused(tmp_path):
    root = make_openhands(tmp_path / "oh")
    results = root / "results" / "model-b" / "instance_results" / "swe-bench.json"
    write_json(results, {t: {"resolved": 5} for t in TASKS})
    with pytest.raises(DataError, match=r"swe-bench\.json: instance .*resolved=5 \(expected true"):
        openhands.read(root)
