"""inspect_ai evaluation logs: the ``.eval`` zip and the ``.json`` log form.

``.eval``: a zip with ``header.json`` (``eval.model``, ``eval.task``) and ``samples/*.json``
(one per sample and epoch: ``id``, ``epoch``, ``scores{scorer: {value}}``). ``.json``: one
object with ``eval`` and ``samples[]`` of the same shape. A score value is ``C`` (correct,
1), ``I`` (incorrect, 0), ``P`` (partial, 0.5), ``N`` (no answer, 0), a number or a
boolean; a sample without scores (it errored) is an unknown outcome, counted apart. The
scorer is ``--metric`` or the first one of each sample. Run = epoch.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.data.readers._common import read_json, require_key, sniff_json
from analysis.data.readers.options import ReaderOptions
from analysis.data.results import Results, make_results
from analysis.errors import DataError

NAME = "inspect_ai"
_DAMAGED = "the log is damaged or not an inspect_ai log: replace it with an intact copy"
#: inspect_ai's ``value_to_float`` mapping of the letter grades.
LETTER_SCORES = {"C": 1.0, "I": 0.0, "P": 0.5, "N": 0.0}


def detect(path: Path) -> bool:
    """A ``.eval`` file (the suffix is inspect_ai's: a damaged one is reported by
    :func:`read`, not skipped), or a JSON log with ``eval.model`` and ``samples``."""
    if not path.is_file():
        return False
    if path.suffix == ".eval":
        return True
    if path.suffix != ".json":
        return False
    data = sniff_json(path)
    return (
        isinstance(data, dict)
        and isinstance(data.get("eval"), dict)
        and "model" in data["eval"]
        and "samples" in data
    )


def _score(value: Any, where: str, sample: str) -> float:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value in LETTER_SCORES:
        return LETTER_SCORES[value]
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    raise DataError(where, f"sample {sample}: score value {value!r} is not C/I/P/N or a number")


def _rows(header: dict, samples: list[dict], where: str, metric: str | None) -> list[tuple]:
    evaluation = require_key(header, "eval", where)
    model = str(require_key(evaluation, "model", where, "eval"))
    task_name = str(evaluation.get("task") or "")
    rows = []
    for position, sample in enumerate(samples):
        sample_id = str(require_key(sample, "id", where, f"sample #{position}"))
        epoch = str(sample.get("epoch", 1))
        scores = sample.get("scores") or {}
        if not scores:
            rows.append((model, sample_id, epoch, float("nan"), task_name))
            continue
        scorer = metric or next(iter(scores))
        if scorer not in scores:
            raise DataError(where, f"sample {sample_id}: no scorer {scorer!r} in {sorted(scores)}")
        value = require_key(scores[scorer], "value", where, f"sample {sample_id} scorer {scorer}")
        rows.append((model, sample_id, epoch, _score(value, where, sample_id), task_name))
    return rows


def _read_eval_zip(path: Path, metric: str | None) -> list[tuple]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if "header.json" not in names:
                raise DataError(
                    path, f"missing required member 'header.json' in the .eval zip; {_DAMAGED}"
                )
            header = json.loads(archive.read("header.json"))
            samples = [
                json.loads(archive.read(name))
                for name in sorted(names)
                if name.startswith("samples/") and name.endswith(".json")
            ]
    except zipfile.BadZipFile as error:
        raise DataError(path, f"not a valid .eval zip ({error}); {_DAMAGED}") from error
    except ValueError as error:
        raise DataError(path, f"malformed JSON inside the .eval zip: {error}") from error
    if not samples:
        raise DataError(path, "no samples/*.json in the .eval zip")
    return _rows(header, samples, str(path), metric)


def read(path: Path, options: ReaderOptions | None = None) -> Results:
    """One log (one model): every sample and epoch."""
    metric = (options or ReaderOptions()).metric
    if path.suffix == ".eval":
        rows = _read_eval_zip(path, metric)
    else:
        data = read_json(path)
        samples = require_key(data, "samples", path)
        if not isinstance(samples, list) or not samples:
            raise DataError(path, "'samples' is empty or not a list")
        rows = _rows(data, samples, str(path), metric)
    frame = pd.DataFrame(rows, columns=["system", "task", "run", "score", "eval_task"])
    notes = []
    unknown = int(frame["score"].isna().sum())
    if unknown:
        notes.append(f"{path.name}: {unknown} sample(s) without scores counted apart as unknown")
    return make_results(frame.drop(columns="eval_task"), str(path), NAME, notes)
