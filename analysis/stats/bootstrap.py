"""One fast, paired bootstrap engine for a systems x tasks outcome matrix.

Each resample draws the tasks (or, for the cluster bootstrap, whole clusters such as
repositories) once and scores every system on that same draw, so all differences between
systems are paired. Draws are stored as counts: resample ``b`` has a count vector ``w_b``
(how often each task was drawn) and the scores of all systems are the matrix product
``W @ X.T / n``, computed in chunks of ``chunk_size`` resamples to bound memory.

Reproducibility: the resamples depend only on ``seed``, ``n_resamples`` and the data (and
clusters), not on ``chunk_size`` or threads: one ``numpy.random.default_rng(seed)`` generator
gives the task indices resample after resample, exactly as ``rng.integers(0, n, size=(B, n))``
would (the stream ``scipy.stats.bootstrap`` uses with the same seed), read block by block
from the generator's words (:mod:`analysis.stats.index_stream`; tested draw for draw).

Intervals (Efron & Tibshirani 1993, *An Introduction to the Bootstrap*, ch. 13-14):

- percentile: the ``a/2`` and ``1 - a/2`` quantiles of the resampled statistic, linear
  interpolation between order statistics exactly as ``numpy.quantile`` (``"linear"``);
- BCa: quantiles at ``Phi(z0 + (z0 + z_q) / (1 - acc (z0 + z_q)))`` for ``z_q = Phi^-1(q)``,
  with bias correction ``z0 = Phi^-1(share of resamples below the observed value)`` (ties
  count one half, as in ``scipy.stats.bootstrap``) and acceleration from the jackknife,
  ``acc = sum d_i^3 / (6 (sum d_i^2)^(3/2))``, ``d_i = mean_j(theta_(j)) - theta_(i)``. For a
  mean the leave-one-out estimates are closed form, ``theta_(i) = (T - x_i) / (n - 1)``; for
  the cluster bootstrap ``theta_(c) = (T - T_c) / (n - n_c)`` (leave one cluster out). A
  difference of two systems' scores is linear, so its jackknife values are the difference of
  theirs.
- BCa is undefined when the observed value lies outside the resampled distribution (all
  resamples on one side of it, so ``z0`` is infinite and the levels are NaN). Such a row gets
  the percentile interval instead, and the tables say so: their ``method`` column names the
  interval each row actually got (``interval_from_rows(..., return_fallback=True)`` returns
  the mask). It never silently becomes a zero-width interval.

Exact histogram path: in the task bootstrap every resampled score is a whole number of tasks
out of the same ``n``, and so is every difference of two scores (an integer in ``[-n, n]``).
The per-system and per-pair intervals are then read from integer histograms of the solved
counts (one ``bincount`` per block, no sort): the ``k``-th order statistic is the first value
whose cumulative count exceeds ``k``, and the share below the observed value is a cumulative
count too. The result equals sorting the values ``k / n`` and interpolating (tested); the
cluster bootstrap (ratio scores) and hand-built results use the sorting path.

Threads: one thread draws the chunks of resamples, in order, from the one generator, a few
chunks ahead, while the caller counts and multiplies them (drawing, ``bincount`` and the
BLAS product release the GIL), so one chunk is counted while the next is drawn. This
changes no result (tested).

The cluster (block) bootstrap resamples clusters with replacement and scores each system as
solved tasks over drawn tasks (a ratio estimator, since clusters differ in size).
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.errors import DataError
from analysis.stats._matrix import as_outcome_matrix, cluster_codes
from analysis.stats.blas import single_blas_thread
from analysis.stats.index_stream import ResampleIndexStream
from analysis.stats.quantiles import (
    CountHistograms,
    acceleration,
    alpha_level,
    check_method,
    interval_from_rows,
)

# Elements of the per-chunk count matrix (resamples x tasks) when chunk_size is not given:
# small enough to stay in cache (measured fastest on the 25 x 500 bash-only matrix).
_DEFAULT_CHUNK_ELEMENTS = 1 << 17
# Pairs processed at once in difference_intervals (bounds the pairs x resamples work).
_PAIR_BLOCK = 512
# Integer keys (rows x resamples) histogrammed at once: bounds the histogram path's memory.
_HISTOGRAM_CHUNK_ELEMENTS = 1 << 20
# Threads when `workers` is not given: one draws ahead while the caller counts.
_DEFAULT_WORKERS = 2
# Chunks the drawing thread may run ahead of the counting (each holds one key buffer).
_DRAW_AHEAD = 3


def resample_counts(indices: np.ndarray, n_units: int) -> np.ndarray:
    """How often each of ``n_units`` units is drawn in each row of ``indices`` (rows x draws of
    unit numbers): one ``bincount`` over row-offset keys instead of a loop over rows."""
    rows = indices.shape[0]
    keys = indices + (np.arange(rows, dtype=indices.dtype) * n_units)[:, None]
    return np.bincount(keys.ravel(), minlength=rows * n_units).reshape(rows, n_units)


def pair_indices(n_systems: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices ``(a, b)`` of all pairs ``a < b`` in row-major order."""
    first, second = np.triu_indices(n_systems, k=1)
    return first.astype(np.intp), second.astype(np.intp)


def _method_labels(method: str, fallback: np.ndarray) -> np.ndarray:
    return np.where(fallback, "percentile", method)


@dataclass
class BootstrapResult:
    """Resampled scores of every system on shared resamples of the tasks.

    ``resamples[b, s]`` is system ``s``'s score (a fraction) on resample ``b``; ``observed``
    the scores on the original tasks; ``jackknife`` the leave-one-out (task, or cluster)
    scores used for the BCa acceleration. ``denominator``: when every resampled score is a
    whole number of tasks out of this many (the task bootstrap), intervals are read from
    exact integer histograms; ``None`` (cluster bootstrap, whose scores are ratios) sorts.
    """

    systems: list[str]
    observed: np.ndarray
    resamples: np.ndarray
    jackknife: np.ndarray = field(repr=False)
    seed: int = 0
    clustered: bool = False
    denominator: int | None = None

    _rows: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)
    _solved: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def n_resamples(self) -> int:
        return self.resamples.shape[0]

    @property
    def resample_rows(self) -> np.ndarray:
        """``resamples`` transposed to contiguous systems x resamples (cached)."""
        if self._rows is None:
            self._rows = np.ascontiguousarray(self.resamples.T)
        return self._rows

    @property
    def solved_rows(self) -> np.ndarray | None:
        """Solved tasks per system and resample (systems x resamples, intp), or ``None``
        when the scores are not whole numbers of tasks out of ``denominator``."""
        if self.denominator is None:
            return None
        if self._solved is None:
            self._solved = self._whole_numbers(self.resamples.T, "resamples")
        return self._solved

    def _whole_numbers(self, scores: np.ndarray, name: str) -> np.ndarray:
        """``scores * denominator`` as integers; a clear error if they are not whole numbers."""
        scaled = np.asarray(scores) * self.denominator
        solved = np.rint(scaled)
        if not np.allclose(scaled, solved, rtol=0.0, atol=1e-6):
            raise DataError(
                "BootstrapResult",
                f"{name} are not whole numbers of tasks out of denominator={self.denominator}",
            )
        return np.ascontiguousarray(solved.astype(np.intp))

    def _observed_solved(self) -> np.ndarray:
        return self._whole_numbers(self.observed, "observed scores")

    def _require_solved(self) -> np.ndarray:
        solved = self.solved_rows
        if solved is None:
            raise DataError("bootstrap", "histograms need whole-number scores (task bootstrap)")
        return solved

    def system_histograms(self) -> CountHistograms:
        """Exact histograms of each system's solved count (task bootstrap only), built in
        chunks of resamples (memory bounded at any B)."""
        solved = self._require_solved()
        smallest, largest = solved.min(axis=1), solved.max(axis=1)
        n_rows = len(smallest)
        width = int((largest - smallest).max()) + 1
        counts = np.zeros(n_rows * width, dtype=np.intp)
        shift = (np.arange(n_rows, dtype=np.intp) * width - smallest)[:, None]
        chunk = max(1, _HISTOGRAM_CHUNK_ELEMENTS // n_rows)
        for start in range(0, self.n_resamples, chunk):
            keys = solved[:, start : start + chunk] + shift
            counts += np.bincount(keys.ravel(), minlength=counts.size)
        return CountHistograms(smallest, counts.reshape(n_rows, width))

    def difference_histograms(self, first: np.ndarray, second: np.ndarray) -> CountHistograms:
        """Exact histograms of ``solved[first] - solved[second]`` per pair (task bootstrap).

        Pair ``p = (a, b)`` lands in bin ``(T_a - min_a) + (max_b - T_b)`` of its row, so a run
        of pairs ``(a, b), (a, b + 1), ...`` (as in :func:`pair_indices`) is one broadcast
        addition; resamples are processed in chunks (memory bounded at any B). One thread:
        measured, a second one only adds contention (the keys are built and counted in
        short steps, and ``bincount`` scans its input for the range under the GIL).
        """
        solved = self._require_solved()
        first = np.asarray(first, dtype=np.intp)
        second = np.asarray(second, dtype=np.intp)
        n_pairs = len(first)
        smallest, largest = solved.min(axis=1), solved.max(axis=1)
        spread = largest - smallest
        width = int(spread[first].max() + spread[second].max()) + 1
        # Row p starts at p * width; with V_b = max_b - T_b + b * width, pair p of a run that
        # starts at pair p0 = (a, b0) has key U_a + V_b with U_a = T_a - min_a + (p0 - b0) width.
        run_starts = np.flatnonzero(
            np.r_[True, (np.diff(first) != 0) | (np.diff(second) != 1)]
        ).tolist()
        runs = list(zip(run_starts, [*run_starts[1:], n_pairs], strict=True))
        column_shift = (largest + np.arange(len(largest), dtype=np.intp) * width)[:, None]
        counts = np.zeros(n_pairs * width, dtype=np.intp)
        chunk = max(1, _HISTOGRAM_CHUNK_ELEMENTS // n_pairs)
        keys = np.empty(n_pairs * min(chunk, self.n_resamples), dtype=np.intp)
        for start in range(0, self.n_resamples, chunk):
            stop = min(start + chunk, self.n_resamples)
            # A contiguous pairs x resamples block even for the last, shorter chunk, so that
            # bincount reads it without a copy.
            block = keys[: n_pairs * (stop - start)].reshape(n_pairs, stop - start)
            second_part = column_shift - solved[:, start:stop]
            for run_start, run_stop in runs:
                a, b0 = first[run_start], second[run_start]
                first_part = solved[a, start:stop] + ((run_start - b0) * width - smallest[a])
                np.add(
                    first_part,
                    second_part[b0 : b0 + run_stop - run_start],
                    out=block[run_start:run_stop],
                )
            counts += np.bincount(block.reshape(-1), minlength=counts.size)
        return CountHistograms(smallest[first] - largest[second], counts.reshape(n_pairs, width))

    def intervals(self, method: str = "percentile", confidence: float = 0.95) -> pd.DataFrame:
        """Per-system interval: columns ``system, score, se, low, high, method`` (fractions).

        ``se`` is the standard deviation of the resampled scores (ddof=1); ``method`` the
        interval each row got (``"percentile"`` where BCa is undefined, see the module notes).
        """
        check_method(method)
        if self.denominator is not None:
            histograms = self.system_histograms()
            acc = acceleration(self.jackknife) if method == "bca" else None
            low, high, fallback = histograms.intervals(
                self._observed_solved(), self.denominator, acc, method, confidence
            )
            se = histograms.standard_deviation(self._observed_solved()) / self.denominator
        else:
            low, high, fallback = interval_from_rows(
                self.resample_rows,
                self.observed,
                self.jackknife,
                method,
                confidence,
                return_fallback=True,
            )
            se = self.resamples.std(axis=0, ddof=1)
        return pd.DataFrame(
            {
                "system": self.systems,
                "score": self.observed,
                "se": se,
                "low": low,
                "high": high,
                "method": _method_labels(method, fallback),
            }
        )

    def iter_differences(
        self, block: int = _PAIR_BLOCK
    ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Yield ``(a, b, differences)`` for blocks of all pairs ``a < b``.

        ``differences[k, r]`` is ``score_a[k] - score_b[k]`` on resample ``r`` (pairs x
        resamples).
        """
        rows = self.resample_rows
        first, second = pair_indices(len(self.systems))
        for start in range(0, len(first), block):
            a, b = first[start : start + block], second[start : start + block]
            yield a, b, rows[a] - rows[b]

    def _difference_block(
        self, a: np.ndarray, b: np.ndarray, method: str, confidence: float, covariance
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(low, high, se, fallback)`` of the differences of pairs ``a``, ``b``."""
        jackknife = self.jackknife[a] - self.jackknife[b] if method == "bca" else None
        if self.denominator is not None:
            histograms = self.difference_histograms(a, b)
            observed = self._observed_solved()
            observed = observed[a] - observed[b]
            acc = acceleration(jackknife) if method == "bca" else None
            low, high, fallback = histograms.intervals(
                observed, self.denominator, acc, method, confidence
            )
            se = histograms.standard_deviation(observed) / self.denominator
            return low, high, se, fallback
        differences = self.resample_rows[a] - self.resample_rows[b]
        low, high, fallback = interval_from_rows(
            differences,
            self.observed[a] - self.observed[b],
            jackknife,
            method,
            confidence,
            return_fallback=True,
        )
        # Var(A - B) = Var A + Var B - 2 Cov(A, B), from the systems x systems covariance.
        variance = covariance[a, a] + covariance[b, b] - 2.0 * covariance[a, b]
        return low, high, np.sqrt(np.maximum(variance, 0.0)), fallback

    def difference_intervals(
        self, method: str = "percentile", confidence: float = 0.95
    ) -> pd.DataFrame:
        """Paired interval of ``score_a - score_b`` for every pair ``a < b`` (system order).

        Columns ``system_a, system_b, score_a, score_b, difference, se, low, high, method``
        (``method``: the interval each row got, ``"percentile"`` where BCa is undefined). All
        pairs come from the same resamples; work is vectorised over blocks of pairs.
        """
        check_method(method)
        alpha_level(confidence)
        covariance = None
        if self.denominator is None:
            covariance = np.atleast_2d(np.cov(self.resamples, rowvar=False, ddof=1))
        first, second = pair_indices(len(self.systems))
        # The sorting path holds a block of pairs x B values: fewer pairs when B is large.
        block = _PAIR_BLOCK
        if self.denominator is None:
            block = max(1, min(block, _HISTOGRAM_CHUNK_ELEMENTS // self.n_resamples))
        parts = [
            self._difference_block(
                first[start : start + block],
                second[start : start + block],
                method,
                confidence,
                covariance,
            )
            for start in range(0, len(first), block)
        ]
        if parts:
            low, high, se, fallback = (
                np.concatenate(column) for column in zip(*parts, strict=True)
            )
        else:
            low = high = se = np.empty(0)
            fallback = np.empty(0, dtype=bool)
        systems = np.asarray(self.systems, dtype=object)
        return pd.DataFrame(
            {
                "system_a": systems[first].tolist(),
                "system_b": systems[second].tolist(),
                "score_a": self.observed[first],
                "score_b": self.observed[second],
                "difference": self.observed[first] - self.observed[second],
                "se": se,
                "low": low,
                "high": high,
                "method": _method_labels(method, fallback),
            }
        )


def worker_count(workers: int | None, n_chunks: int) -> int:
    """Threads the engine uses for a job of ``n_chunks`` chunks: ``workers`` if given, else one
    per CPU this process may run on, up to ``_DEFAULT_WORKERS``; 1 when there is one chunk.
    Two or more mean the same: one thread draws ahead while the caller counts."""
    if workers is None:
        try:
            available = len(os.sched_getaffinity(0))
        except AttributeError:  # not Linux
            available = os.cpu_count() or 1
        workers = min(_DEFAULT_WORKERS, available)
    if int(workers) < 1:
        raise DataError("workers", f"need at least one worker, got {workers}")
    return max(1, min(int(workers), n_chunks))


def _score_resamples(
    rng: np.random.Generator,
    unit_totals: np.ndarray,
    unit_sizes: np.ndarray,
    solved: np.ndarray,
    drawn: np.ndarray | None,
    chunk_size: int,
    workers: int,
    progress: bool,
) -> None:
    """Fill ``solved`` (resamples x systems: solved tasks) and ``drawn`` (tasks drawn, cluster
    bootstrap only) chunk by chunk: draw the unit indices, count them, multiply.

    With one worker the chunks are drawn and counted in turn; with more, one thread draws the
    chunks ahead, in order (:func:`_drawn_ahead`), while this one counts them. Drawing
    (``random_raw`` and the map to indices, :class:`~analysis.stats.index_stream.
    ResampleIndexStream`), counting (``bincount``) and the product release the GIL, so the
    two overlap. The stream is read in chunk order either way: no result depends on it.
    """
    n_resamples, units = solved.shape[0], unit_totals.shape[0]
    stream = ResampleIndexStream(rng, units, chunk_size)
    chunks = [
        (start, min(chunk_size, n_resamples - start)) for start in range(0, n_resamples, chunk_size)
    ]
    # Reused chunk after chunk: fresh megabyte-sized arrays would each cost page faults.
    weights = np.empty((chunk_size, units), dtype=unit_totals.dtype)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(chunks), desc="bootstrap", unit="chunk")

    def score(start: int, size: int, keys: np.ndarray) -> None:
        counts = np.bincount(keys.reshape(-1), minlength=size * units).reshape(size, units)
        chunk_weights = weights[:size]
        np.copyto(chunk_weights, counts)
        np.matmul(chunk_weights, unit_totals, out=solved[start : start + size])
        if drawn is not None:
            np.matmul(chunk_weights, unit_sizes, out=drawn[start : start + size])
        if bar is not None:
            bar.update()

    try:
        with single_blas_thread():
            if workers == 1:
                keys = np.empty(chunk_size * units, dtype=np.intp)
                for start, size in chunks:
                    score(start, size, stream.row_keys(stream.draw(size), keys))
            else:
                for start, size, keys in _drawn_ahead(stream, chunks, chunk_size * units):
                    score(start, size, keys)
    finally:
        if bar is not None:
            bar.close()


def _drawn_ahead(
    stream: ResampleIndexStream, chunks: list[tuple[int, int]], elements: int
) -> Iterator[tuple[int, int, np.ndarray]]:
    """Yield ``(start, size, keys)`` of each chunk, in order, drawn by a background thread up
    to ``_DRAW_AHEAD`` chunks ahead (its key buffers are recycled, so memory stays bounded).

    An error in the drawing thread is raised here; leaving early stops the thread.
    """
    free: queue.Queue = queue.Queue()
    ready: queue.Queue = queue.Queue()
    for _ in range(_DRAW_AHEAD):
        free.put(np.empty(elements, dtype=np.intp))
    stop = threading.Event()

    def draw_all() -> None:
        try:
            for start, size in chunks:
                buffer = free.get()
                if buffer is None or stop.is_set():
                    return
                ready.put((start, size, stream.row_keys(stream.draw(size), buffer), buffer))
        except BaseException as error:  # handed to the consumer, which raises it
            ready.put(error)

    thread = threading.Thread(target=draw_all, name="bootstrap-draws", daemon=True)
    thread.start()
    try:
        for _ in chunks:
            item = ready.get()
            if isinstance(item, BaseException):
                raise item
            start, size, keys, buffer = item
            yield start, size, keys
            free.put(buffer)
    finally:
        stop.set()
        free.put(None)
        thread.join()


def bootstrap_scores(
    matrix: pd.DataFrame | np.ndarray,
    n_resamples: int = 10_000,
    seed: int = 0,
    clusters: Sequence | np.ndarray | pd.Series | None = None,
    chunk_size: int | None = None,
    progress: bool = False,
    workers: int | None = None,
) -> BootstrapResult:
    """Bootstrap the scores of all systems on shared resamples of the tasks.

    Each resample draws ``n`` task indices uniformly with replacement (or, with ``clusters``,
    ``C`` cluster labels with replacement), turns them into counts by ``bincount`` and scores
    every system as ``counts @ X.T / n`` (cluster bootstrap: solved over drawn tasks). The
    result depends only on ``seed``, ``n_resamples``, the matrix and the clusters, not on
    ``chunk_size`` (resamples per chunk; by default a chunk's count matrix holds about
    131,000 entries, which stays in cache), nor on ``workers``: with 2 or more (the default
    when two CPUs are available) a second thread draws the chunks ahead while this one
    counts them; with 1 everything runs here (see :func:`_score_resamples`).
    ``progress`` shows a tqdm bar over chunks.
    """
    if int(n_resamples) < 2:
        raise DataError("n_resamples", f"need at least 2 resamples, got {n_resamples}")
    n_resamples = int(n_resamples)
    outcome = as_outcome_matrix(matrix, where="bootstrap_scores: matrix")
    values = outcome.values
    n_systems, n_tasks = values.shape
    coded = cluster_codes(clusters, n_tasks, where="bootstrap_scores: clusters")
    totals = values.sum(axis=1)
    observed = totals / n_tasks

    if coded is None:
        units = n_tasks
        unit_totals = values.T  # tasks x systems: each task is its own unit
        unit_sizes = np.ones(n_tasks)
    else:
        codes, units = coded
        membership = np.zeros((n_tasks, units))
        membership[np.arange(n_tasks), codes] = 1.0
        unit_totals = membership.T @ values.T  # clusters x systems: solved tasks per cluster
        unit_sizes = membership.sum(axis=0)
    # Leave-one-unit-out scores, (T - T_u) / (n - n_u): closed form jackknife of a mean/ratio.
    # (With a single cluster nothing is left; the observed score stands in, giving acc = 0.)
    remaining = (n_tasks - unit_sizes)[None, :]
    jackknife = np.divide(
        totals[:, None] - unit_totals.T,
        remaining,
        out=np.repeat(observed[:, None], units, axis=1),
        where=remaining > 0,
    )

    # Counts, solved totals and drawn tasks are integers; float32 products are exact (and
    # faster) while every possible sum stays below 2^24.
    largest_sum = units * float(unit_sizes.max())
    product_dtype = np.float32 if largest_sum < (1 << 24) else np.float64
    if chunk_size is None:
        chunk_size = max(1, _DEFAULT_CHUNK_ELEMENTS // units)
    chunk_size = max(1, min(int(chunk_size), n_resamples))
    solved = np.empty((n_resamples, n_systems), dtype=product_dtype)
    drawn = None if coded is None else np.empty(n_resamples, dtype=product_dtype)
    _score_resamples(
        np.random.default_rng(seed),
        unit_totals.astype(product_dtype),
        unit_sizes.astype(product_dtype),
        solved,
        drawn,
        chunk_size,
        worker_count(workers, -(-n_resamples // chunk_size)),
        progress,
    )
    if drawn is None:
        resamples = solved.astype(np.float64)
        resamples /= n_tasks
    else:
        resamples = solved.astype(np.float64) / drawn.astype(np.float64)[:, None]
    result = BootstrapResult(
        systems=outcome.systems,
        observed=observed,
        resamples=resamples,
        jackknife=jackknife,
        seed=seed,
        clustered=coded is not None,
        denominator=n_tasks if coded is None else None,
    )
    if coded is None:
        # The exact solved counts, kept for the histogram path (no rounding round trip).
        result._solved = np.ascontiguousarray(solved.T, dtype=np.intp)
    return result
