"""swe-audit: loaders and statistics for auditing how AI coding benchmarks are measured.

Data flows one way (CONTRIBUTING.md, checked by tests/test_architecture.py): ``data``
(sources, the git-ignored cache ``data/raw/``, one reader per upstream format) -> ``frames``
(validated tidy DataFrames, cached) -> ``stats`` (the numerical engine) -> ``analyses`` (one
module per notebook question) -> ``claims`` ledger, ``figures`` -> notebooks and ``report``.
"""

from analysis.errors import DataError, DownloadError

__version__ = "0.1.0"
__all__ = ["DataError", "DownloadError", "__version__"]
