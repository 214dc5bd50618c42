"""The statistics engine: every estimate the notebooks state, with its uncertainty.

Import the submodule of the concern: ``intervals``, ``bootstrap``, ``comparisons``,
``power``, ``noise``, ``tiers``, ``grader``, ``saturation``, ``irt``. All take a systems x
tasks 0/1 outcome matrix (DataFrame or ndarray) where it makes sense.
"""
