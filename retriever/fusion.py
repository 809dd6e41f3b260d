"""Rank fusion: several ranked lists of chunk positions → one fused ranking.

>>> reciprocal_rank_fusion([[3, 1], [1, 2]], weights=[1.0, 1.0], k=60)[0][0]
1
"""

from __future__ import annotations

from typing import Sequence


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[int]], weights: Sequence[float], k: float = 60.0
) -> list[tuple[int, float]]:
    """(item, fused score) best first; score = Σ weight / (k + rank), rank starting at 1."""
    scores: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))
