"""Command line: ``python -m analysis {fetch,validate,claims,report}``.

Each subcommand lives in the module of its concern, which exposes
``configure_parser(parser)`` and ``run_cli(args) -> int``; this file only wires them up.

Exit codes: 0 success, 1 failure (bad data, an unreadable or unwritable file, a network
problem: one ``error: FILE: problem; what to do`` line on stderr, never a traceback), 2 usage
(argparse), 130 interrupted by Ctrl-C (SIGINT) and 143 terminated (SIGTERM), the shell's
128 + signal number, so scripts can tell an interruption from a failure. An unexpected
exception is also one line (exit 1); ``SWEAUDIT_DEBUG=1`` shows its traceback instead.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
from collections.abc import Sequence

from analysis.errors import (
    DataError,
    Terminated,
    clean_for_terminal,
    describe_os_error,
    sigterm_raises,
)

#: subcommand -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "fetch": ("analysis.data.download", "fill the data/raw cache from upstream or a mirror"),
    "validate": ("analysis.data.validation", "print a data-quality report of the cached data"),
    "claims": ("analysis.claims.format", "print the claims ledger with computed verdicts"),
    "report": ("analysis.report.site", "execute the notebooks and render the HTML report"),
    "calibrate": ("analysis.analyses.calibration", "coverage and type-I error of every method"),
    "audit": ("analysis.report.audit", "noise report of any leaderboard's per-task results"),
}


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser of every subcommand. Given ``argv`` naming a subcommand, only that
    command's module is imported (a command starts in a fraction of the time; the others'
    imports, e.g. the report's, are not paid); otherwise every module is."""
    wanted = next((word for word in argv or () if not word.startswith("-")), None)
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        if wanted in COMMANDS and name != wanted:
            continue
        module = importlib.import_module(module_name)
        module.configure_parser(command_parser)
        command_parser.set_defaults(run=module.run_cli)
    return parser


#: Exit status for a failure; usage errors exit 2 (argparse).
EXIT_FAILURE = 1
EXIT_INTERRUPTED = 128 + signal.SIGINT
EXIT_TERMINATED = 128 + signal.SIGTERM


def _fail(message: object) -> int:
    print(f"error: {clean_for_terminal(message)}", file=sys.stderr)
    return EXIT_FAILURE


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; every failure is one line on stderr (see the module docstring)."""
    try:
        with sigterm_raises():
            args = build_parser(sys.argv[1:] if argv is None else argv).parse_args(argv)
            return int(args.run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted; run the command again to finish", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Terminated:
        print("terminated; run the command again to finish", file=sys.stderr)
        return EXIT_TERMINATED
    except DataError as error:
        return _fail(error)
    except OSError as error:
        return _fail(describe_os_error(error))
    except Exception as error:  # a bug, or bad input a reader failed to name: still one line
        if os.environ.get("SWEAUDIT_DEBUG"):
            raise
        return _fail(
            f"unexpected {type(error).__name__}: {error} (please report this; run again with "
            "SWEAUDIT_DEBUG=1 to see where it happened)"
        )
