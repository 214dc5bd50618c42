"""HELM ``per_instance_stats.json`` (with the run's ``run_spec.json`` for the model).

A HELM run directory holds ``run_spec.json`` (``name`` such as
``mmlu:subject=anatomy,model=openai_gpt-4``, ``adapter_spec.model``) and
``per_instance_stats.json``: a list of ``{instance_id, train_trial_index, stats[]}`` where
each stat has ``name{name, split, perturbation?}`` and ``mean`` (or ``sum``/``count``).
The metric is ``--metric`` (default ``exact_match``); perturbed variants are ignored. Tasks
are ``<scenario>/<instance_id>`` with the scenario being the run name without its model;
runs are ``train_trial_index``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.data.readers._common import read_json, require_key
from analysis.data.readers.options import ReaderOptions
from analysis.data.results import Results, make_results
from analysis.errors import DataError

NAME = "helm"
DEFAULT_METRIC = "exact_match"
_MODEL_ARG = re.compile(r"(^|,)model=[^,]*")


def _stat_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path] if path.name == "per_instance_stats.json" else []
    return sorted(path.rglob("per_instance_stats.json"))


def detect(path: Path) -> bool:
    """A ``per_instance_stats.json`` or a directory holding some."""
    return bool(_stat_files(path))


def _scenario(run_name: str) -> str:
    scenario = _MODEL_ARG.sub("", run_name).replace(":,", ":").rstrip(":,")
    return scenario or run_name


def read(path: Path, options: ReaderOptions | None = None) -> Results:
    """Every instance of every run under ``path``."""
    metric = (options or ReaderOptions()).metric or DEFAULT_METRIC
    files = _stat_files(path)
    if not files:
        raise DataError(path, "no per_instance_stats.json")
    rows = []
    for file in files:
        spec_file = file.parent / "run_spec.json"
        if not spec_file.is_file():
            raise DataError(file, "missing run_spec.json next to it (needed for the model)")
        spec = read_json(spec_file)
        adapter = require_key(spec, "adapter_spec", spec_file)
        model = str(require_key(adapter, "model", spec_file, "adapter_spec"))
        scenario = _scenario(str(require_key(spec, "name", spec_file)))
        instances = read_json(file)
        if not isinstance(instances, list) or not instances:
            raise DataError(file, "expected a non-empty list of per-instance stats")
        for position, instance in enumerate(instances):
            instance_id = require_key(instance, "instance_id", file, f"entry #{position}")
            stats = require_key(instance, "stats", file, f"instance {instance_id!r}")
            chosen = [
                stat
                for stat in stats
                if isinstance(stat, dict)
                and isinstance(stat.get("name"), dict)
                and stat["name"].get("name") == metric
                and not stat["name"].get("perturbation")
            ]
            if not chosen:
                raise DataError(
                    file, f"instance {instance_id!r}: missing stat {metric!r} (--metric)"
                )
            stat = chosen[0]
            if "mean" in stat:
                value = stat["mean"]
            elif stat.get("count"):
                value = stat["sum"] / stat["count"]
            else:
                value = float("nan")
            run = str(instance.get("train_trial_index", 0))
            rows.append((model, f"{scenario}/{instance_id}", run, value))
    frame = pd.DataFrame(rows, columns=["system", "task", "run", "score"])
    return make_results(frame, str(path), NAME)
