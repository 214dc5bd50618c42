"""Rebuild ``verified_tasks`` from the pinned Hugging Face dataset revision.

``verified_tasks`` has no single raw URL upstream: without a mirror it is rebuilt from the
pinned hub revision into the mirror's JSONL layout (rows sorted by ``instance_id``, one
``json.dumps`` object per line). The hub's serialisation may differ from the mirror's, so
the rebuilt file's sha256 and revision are recorded next to it (``<file>.origin.json``,
:func:`hub_record`) and accepted by ``download.ensure`` instead of failing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from analysis.data.http_transfer import OFFLINE_ADVICE, OfflineError
from analysis.data.sources import VERIFIED_COLUMNS, Source, SourceFile
from analysis.data.staging import commit_part, staging_file
from analysis.errors import DownloadError

VERIFIED_ROWS = 500


def origin_record_path(path: Path) -> Path:
    return path.with_name(path.name + ".origin.json")


def hub_record(source: Source, path: Path) -> dict[str, Any] | None:
    """The sidecar written when ``path`` was rebuilt from the hub, if it is valid for ``source``."""
    record_path = origin_record_path(path)
    if source.hf_dataset is None or not record_path.is_file():
        return None
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        not isinstance(record, dict)
        or record.get("hf_dataset") != source.hf_dataset
        or record.get("hf_revision") != source.hf_revision
    ):
        return None
    return record


def verified_tasks_jsonl(
    rows: Iterable[Mapping[str, Any]],
    where: str = "verified_tasks",
    expected_rows: int = VERIFIED_ROWS,
    columns: tuple[str, ...] = VERIFIED_COLUMNS,
) -> bytes:
    """Serialise Verified rows (e.g. a ``datasets.Dataset``) as the mirror's JSONL bytes.

    Checks there are ``expected_rows`` rows, unique ``instance_id`` values and exactly the
    ``columns``; writes one ``json.dumps`` object per line (keys in ``columns`` order),
    sorted by ``instance_id``, each line ending in a newline.
    """
    records = [dict(row) for row in rows]
    if len(records) != expected_rows:
        raise DownloadError(where, f"expected {expected_rows} rows, got {len(records)}")
    for index, record in enumerate(records):
        if set(record) != set(columns):
            missing = sorted(set(columns) - set(record))
            extra = sorted(set(record) - set(columns))
            raise DownloadError(
                where, f"row {index}: columns differ (missing {missing}, unexpected {extra})"
            )
    ids = [record["instance_id"] for record in records]
    if len(set(ids)) != len(ids):
        repeated = sorted({i for i in ids if ids.count(i) > 1})[:5]
        raise DownloadError(where, f"duplicate instance_id values, e.g. {repeated}")
    records.sort(key=lambda record: record["instance_id"])
    lines = (json.dumps({column: record[column] for column in columns}) for record in records)
    return "".join(line + "\n" for line in lines).encode("utf-8")


def _load_hub_dataset(source: Source) -> Any:
    import datasets  # heavy import, only needed on this path

    return datasets.load_dataset(
        source.hf_dataset, split=source.hf_split, revision=source.hf_revision
    )


#: Replaceable in tests; loads the hub dataset named by a Source.
hub_loader: Callable[[Source], Any] = _load_hub_dataset


def fetch_from_hub(source: Source, item: SourceFile, destination: Path) -> list[str]:
    """Rebuild ``item`` from the pinned hub revision; return notes on a differing sha256."""
    where = f"hf://datasets/{source.hf_dataset}@{source.hf_revision} (split {source.hf_split})"
    try:
        dataset = hub_loader(source)
    except (ConnectionError, OSError, TimeoutError) as error:
        raise OfflineError(where, f"cannot load ({error}); {OFFLINE_ADVICE}") from None
    except Exception as error:  # datasets raises many types; name the dataset and the cause
        raise DownloadError(where, f"cannot load: {type(error).__name__}: {error}") from None
    payload = verified_tasks_jsonl(dataset, where=where, expected_rows=VERIFIED_ROWS)
    actual = hashlib.sha256(payload).hexdigest()
    with staging_file(destination) as (handle, temporary):
        handle.write(payload)
        commit_part(handle, temporary, destination)
    record_path = origin_record_path(destination)
    notes = []
    if actual != item.sha256:
        record = {
            "hf_dataset": source.hf_dataset,
            "hf_revision": source.hf_revision,
            "hf_split": source.hf_split,
            "sha256": actual,
            "registry_sha256": item.sha256,
        }
        record_path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        notes.append(
            f"rebuilt from {where}: sha256 {actual} differs from the mirror's {item.sha256}"
            " (serialisation may differ; rows, ids and columns were checked)"
        )
    else:
        record_path.unlink(missing_ok=True)
    return notes
