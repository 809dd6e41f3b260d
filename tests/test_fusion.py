"""retriever.fusion: reciprocal rank fusion orders by Σ weight / (k + rank), deterministically."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retriever.fusion import reciprocal_rank_fusion


def order(fused: list[tuple[int, float]]) -> list[int]:
    return [item for item, _ in fused]


def test_one_ranking_keeps_its_order() -> None:
    fused = reciprocal_rank_fusion([[7, 3, 9]], weights=[1.0])

    assert order(fused) == [7, 3, 9]


def test_scores_are_the_weighted_sum_of_reciprocal_ranks() -> None:
    fused = dict(reciprocal_rank_fusion([[1, 2], [2, 3]], weights=[1.0, 0.5], k=10))

    assert fused[1] == pytest.approx(1 / 11)
    assert fused[2] == pytest.approx(1 / 12 + 0.5 / 11)
    assert fused[3] == pytest.approx(0.5 / 12)


def test_an_item_both_rankings_agree_on_beats_items_only_one_ranks_first() -> None:
    fused = reciprocal_rank_fusion([[1, 5, 2], [3, 5, 4]], weights=[1.0, 1.0])

    assert order(fused)[0] == 5


def test_a_heavier_weight_lets_its_ranking_lead() -> None:
    rankings = [[1, 2], [2, 1]]

    assert order(reciprocal_rank_fusion(rankings, weights=[2.0, 1.0]))[0] == 1
    assert order(reciprocal_rank_fusion(rankings, weights=[1.0, 2.0]))[0] == 2


def test_a_zero_weight_ranking_changes_nothing_but_adds_its_items_last() -> None:
    fused = reciprocal_rank_fusion([[4, 2], [9, 2, 4]], weights=[1.0, 0.0])

    assert order(fused) == [4, 2, 9]


def test_ties_are_broken_by_the_smaller_item_whatever_the_input_order() -> None:
    first = reciprocal_rank_fusion([[8, 3], [3, 8]], weights=[1.0, 1.0])
    second = reciprocal_rank_fusion([[3, 8], [8, 3]], weights=[1.0, 1.0])

    assert order(first) == order(second) == [3, 8]
    assert first[0][1] == first[1][1]


def test_a_smaller_k_favours_top_ranks_more() -> None:
    rankings = [[1, 9, 2], [3, 8, 2]]  # 2 is third in both; 1 and 3 top one ranking each

    assert order(reciprocal_rank_fusion(rankings, weights=[1.0, 1.0], k=60))[0] == 2
    assert order(reciprocal_rank_fusion(rankings, weights=[1.0, 1.0], k=0.5))[0] == 1


def test_no_rankings_or_empty_rankings_fuse_to_nothing() -> None:
    assert reciprocal_rank_fusion([], weights=[]) == []
    assert reciprocal_rank_fusion([[], []], weights=[1.0, 1.0]) == []


@given(st.lists(st.lists(st.integers(0, 30), unique=True, max_size=12), min_size=1, max_size=4))
def test_fusion_returns_every_item_once_best_first(rankings: list[list[int]]) -> None:
    fused = reciprocal_rank_fusion(rankings, weights=[1.0] * len(rankings))

    assert sorted(order(fused)) == sorted({item for ranking in rankings for item in ranking})
    assert [score for _, score in fused] == sorted((score for _, score in fused), reverse=True)
