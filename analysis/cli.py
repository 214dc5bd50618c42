"""Command line: ``python -m analysis {fetch,validate,claims,report}``.

Each subcommand lives in the module of its concern, which exposes
``configure_parser(parser)`` and ``run_cli(args) -> int``; this file only wires them up.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from analysis.errors import DataError

#: subcommand -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "fetch": ("analysis.download", "fill the data/raw cache from upstream or a mirror"),
    "validate": ("analysis.validation", "print a data-quality report of the cached data"),
    "claims": ("analysis.claims", "print the claims ledger with computed verdicts"),
    "report": ("analysis.report", "execute the notebooks and render the HTML report"),
    "audit": ("analysis.audit_cli", "noise report of any leaderboard's per-task results"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(module_name)
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        module.configure_parser(command_parser)
        command_parser.set_defaults(run=module.run_cli)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except DataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
