"""The bootstrap's index stream equals ``Generator.integers`` draw for draw."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.stats.index_stream import ResampleIndexStream

# 2^32 mod n is almost n here: about 255 of the 1,048,321 words of a row are rejected.
REJECTING = 2**32 // 4097 + 1


def drawn_indices(seed: int, units: int, blocks: list[int]) -> tuple[np.ndarray, bool]:
    """Indices of consecutive blocks of ``rows`` (row offsets removed), and the path used."""
    stream = ResampleIndexStream(np.random.default_rng(seed), units, max(blocks))
    parts = []
    for rows in blocks:
        keys = stream.row_keys(stream.draw(rows))
        parts.append(keys - np.arange(rows)[:, None] * units)
    return np.concatenate(parts), stream.fast


@pytest.mark.parametrize(
    ("units", "blocks", "fast"),
    [
        (500, [262, 262, 100], True),
        (37, [3, 1, 5, 2], True),  # odd word counts: half-words carried between blocks
        (12, [7] * 9, True),
        (1, [4, 4], True),
        (REJECTING, [1], True),  # rejections inside a block
        (3_000_001, [1, 1], True),  # large n: rejections and wide products
    ],
)
def test_blocks_equal_the_generators_integers(units: int, blocks: list[int], fast: bool) -> None:
    indices, used_fast = drawn_indices(5, units, blocks)
    expected = np.random.default_rng(5).integers(0, units, size=(sum(blocks), units))
    assert used_fast is fast
    np.testing.assert_array_equal(indices, expected)


def test_rejections_are_dropped_not_mapped() -> None:
    """The rejecting case really rejects: mapping every word would give other indices."""
    words = np.random.default_rng(5).bit_generator.random_raw(REJECTING).view(np.uint32)
    naive = (words[:REJECTING].astype(np.uint64) * REJECTING) >> 32
    indices, _ = drawn_indices(5, REJECTING, [1])
    assert not np.array_equal(indices[0], naive)


def test_reused_key_buffer_and_a_used_generator() -> None:
    rng = np.random.default_rng(9)
    rng.integers(0, 10, size=3)  # leaves half a 64-bit word buffered: the fast path is off
    stream = ResampleIndexStream(rng, 50, 4)
    assert not stream.fast
    expected = np.random.default_rng(9)
    expected.integers(0, 10, size=3)
    buffer = np.empty(4 * 50, dtype=np.intp)
    keys = stream.row_keys(stream.draw(4), buffer)
    assert np.shares_memory(keys, buffer)
    np.testing.assert_array_equal(
        keys - np.arange(4)[:, None] * 50, expected.integers(0, 50, size=(4, 50))
    )


def test_another_bit_generator_takes_integers_itself() -> None:
    stream = ResampleIndexStream(np.random.Generator(np.random.MT19937(3)), 20, 4)
    assert not stream.fast
    keys = stream.row_keys(stream.draw(4))
    expected = np.random.Generator(np.random.MT19937(3)).integers(0, 20, size=(4, 20))
    np.testing.assert_array_equal(keys - np.arange(4)[:, None] * 20, expected)
