"""The bootstrap's resample indices, drawn as ``numpy``'s ``Generator.integers`` draws them.

``rng.integers(0, n, size=(B, n))`` (the stream ``scipy.stats.bootstrap`` uses for a seed)
turns 32-bit words into indices by Lemire's method: a word ``w`` gives ``(w * n) >> 32``
unless the low 32 bits of ``w * n`` fall below ``(2^32 - n) mod n``, in which case the word
is rejected and the next one used. For the default ``PCG64`` generator the words are the low
and then the high halves of its 64-bit outputs, which is what
``rng.bit_generator.random_raw`` returns viewed as little-endian ``uint32`` (Lemire 2019,
"Fast random integer generation in an interval", ACM TOMACS 29(1); NumPy's
``random_bounded_uint32_fill`` and ``pcg64_next32``).

:class:`ResampleIndexStream` reproduces that stream in two steps, so that the bootstrap can
run them on two threads: :meth:`~ResampleIndexStream.draw` takes the next words and drops the
rejected ones (blocks in order; ``random_raw`` releases the GIL), and
:meth:`~ResampleIndexStream.row_keys` maps them to indices offset by their row, in place in
64-bit integers (NumPy's arithmetic releases the GIL), ready for one ``bincount``. Elsewhere
(another generator or one holding a buffered half-word, a big-endian machine) it falls back
to ``rng.integers`` itself. Either way the indices equal ``rng.integers``'s (tested).
"""

from __future__ import annotations

import sys

import numpy as np


class ResampleIndexStream:
    """Blocks of ``rows x units`` uniform indices in ``[0, units)`` from ``rng``, as
    ``rng.integers(0, units, size=(rows, units))`` draws them, block after block.

    ``max_rows`` bounds the rows per block; ``units`` must be below 2^32 (as for
    ``integers`` drawing from 32-bit words).
    """

    def __init__(self, rng: np.random.Generator, units: int, max_rows: int) -> None:
        self.rng = rng
        self.units = int(units)
        self.fast = (
            sys.byteorder == "little"
            and isinstance(rng.bit_generator, np.random.PCG64)
            and not rng.bit_generator.state["has_uint32"]  # no half-word already buffered
            and 1 <= self.units < (1 << 32)
        )
        # Lemire's rejection threshold (2^32 - n) mod n.
        self.threshold = np.uint32(((1 << 32) - self.units) % self.units)
        # Words drawn but not yet used: the high half of a 64-bit output (or words after a
        # rejection) carried to the next block, as the generator itself would keep them.
        self.carry = np.empty(0, dtype=np.uint32)
        self.row_offsets = np.arange(int(max_rows), dtype=np.uint64)[:, None] * np.uint64(units)

    def draw(self, rows: int) -> np.ndarray:
        """The material of the next block, in stream order: accepted 32-bit words (fast path)
        or the indices themselves. Blocks must be drawn in stream order (one thread at a time)."""
        if not self.fast:
            return self.rng.integers(0, self.units, size=(rows, self.units), dtype=np.int64)
        return self._accepted_words(rows * self.units).reshape(rows, self.units)

    def row_keys(self, material: np.ndarray, keys: np.ndarray | None = None) -> np.ndarray:
        """``index + row * units`` for every draw of a block (intp, rows x units), written into
        ``keys`` (a reusable intp buffer of at least that size) when given."""
        rows = material.shape[0]
        if keys is None:
            keys = np.empty(rows * self.units, dtype=np.intp)
        keys = keys[: rows * self.units].reshape(rows, self.units)
        if not self.fast:
            np.add(material, np.arange(rows, dtype=np.int64)[:, None] * self.units, out=keys)
            return keys
        # (w n) >> 32 + row n, in place in the keys' 64 bits (all values are below 2^63).
        unsigned = keys.view(np.uint64)
        np.multiply(material, np.uint64(self.units), out=unsigned)
        np.right_shift(unsigned, np.uint64(32), out=unsigned)
        np.add(unsigned, self.row_offsets[:rows], out=unsigned)
        return keys

    def _accepted_words(self, need: int) -> np.ndarray:
        words = self._words(need)
        if self.threshold:
            rejected = np.flatnonzero(np.multiply(words, np.uint32(self.units)) < self.threshold)
            while len(rejected):  # rare (probability (2^32 mod n) / 2^32 per word for n = 500)
                keep = np.ones(len(words), dtype=bool)
                keep[rejected] = False
                extra = self._words(len(rejected))
                words = np.concatenate([words[keep], extra])
                low = np.multiply(extra, np.uint32(self.units))
                rejected = len(words) - len(extra) + np.flatnonzero(low < self.threshold)
        return words

    def _words(self, need: int) -> np.ndarray:
        """The next ``need`` 32-bit words of the generator (carry first, then fresh halves)."""
        carried = self.carry[:need]
        missing = need - len(carried)
        self.carry = self.carry[len(carried) :]
        if missing <= 0:
            return carried
        fresh = self.rng.bit_generator.random_raw(-(-missing // 2)).view(np.uint32)
        self.carry = fresh[missing:]
        return np.concatenate([carried, fresh[:missing]]) if len(carried) else fresh[:missing]
