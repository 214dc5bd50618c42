"""Display names for systems whose identifiers reach figures raw (the display-name map).

:func:`analysis.figures.style.display_name` looks names up here first; any other name is
shown cleaned (no control characters) and shortened. Tables keep the full, original name.
"""

from __future__ import annotations

#: Readable names for raw identifiers that reach figures (SWE-bench Pro run files are named
#: by slug): the display-name map for systems. Unknown names are shown cleaned and shortened.
NAMES: dict[str, str] = {
    "claude-45sonnet-10132025": "Claude Sonnet 4.5 (Pro run, 2025-10-13)",
    "claude-4sonnet-10132025": "Claude Sonnet 4 (Pro run, 2025-10-13)",
    "gpt-5-250-turns-10132025": "GPT-5, 250 turns (Pro run, 2025-10-13)",
    "kimi-k2-instruct-10132025": "Kimi K2 Instruct (Pro run, 2025-10-13)",
    "claude-sonnet-4-paper": "Claude Sonnet 4 (Pro paper)",
    "claude-opus-4-1-paper": "Claude Opus 4.1 (Pro paper)",
    "gptoss-paper": "gpt-oss (Pro paper)",
    "gemini-2-5-pro-preview-paper": "Gemini 2.5 Pro Preview (Pro paper)",
    "gpt-4o-paper": "GPT-4o (Pro paper)",
}
