"""swe-audit: loaders and statistics for auditing how AI coding benchmarks are measured.

Data flows one way: ``sources`` (what upstream publishes, pinned) -> ``download`` (the
git-ignored cache ``data/raw/``) -> ``loading`` (validated tidy DataFrames) ->
``stats`` (the numerical engine) -> notebooks and ``report``.
"""

from analysis.errors import DataError, DownloadError

__version__ = "0.1.0"
__all__ = ["DataError", "DownloadError", "__version__"]
