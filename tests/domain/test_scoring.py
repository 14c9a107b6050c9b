"""Scoring maths: normalisation, weighted means and their edge cases."""

from __future__ import annotations

import pytest

from app.domain.scoring import (
    Criterion,
    Level,
    criteria_from_json,
    mean,
    normalise,
    score_question,
    weighted_mean,
)


def crit(key="c", values=(1, 2, 3, 4), weight=1.0) -> Criterion:
    return Criterion(
        key=key,
        title=key.title(),
        weight=weight,
        levels=tuple(Level(v, f"L{v}", f"descriptor {v}") for v in values),
    )


@pytest.mark.parametrize(("level", "expected"), [(1, 0.0), (2, 100 / 3), (3, 200 / 3), (4, 100.0)])
def test_normalise_maps_lowest_to_0_and_highest_to_100(level, expected):
    assert normalise(level, crit()) == pytest.approx(expected)


def test_normalise_handles_scales_not_starting_at_one():
    assert normalise(0, crit(values=(0, 1, 2))) == 0.0
    assert normalise(1, crit(values=(0, 1, 2))) == 50.0
    assert normalise(5, crit(values=(3, 5, 10))) == pytest.approx(100 * 2 / 7)


def test_unscored_is_none_and_off_scale_is_refused():
    assert normalise(None, crit()) is None
    with pytest.raises(ValueError, match="not on the scale"):
        normalise(7, crit())


def test_all_levels_equal_means_met():
    one_point = crit(values=(2,))
    assert normalise(2, one_point) == 100.0


def test_weighted_mean_excludes_unscored_not_zero():
    assert weighted_mean([(100.0, 1.0), (None, 5.0), (0.0, 1.0)]) == 50.0
    assert weighted_mean([(None, 1.0)]) is None
    assert weighted_mean([]) is None


def test_weighted_mean_uses_weights():
    assert weighted_mean([(100.0, 3.0), (0.0, 1.0)]) == 75.0


def test_zero_weight_guard_falls_back_to_plain_mean():
    assert weighted_mean([(100.0, 0.0), (50.0, 0.0)]) == 75.0
    assert weighted_mean([(100.0, 0.0), (0.0, 1.0)]) == 0.0  # zero weight just counts nothing
    assert weighted_mean([(100.0, -2.0), (40.0, 0.0)]) == 70.0  # negative counts as zero


def test_single_criterion_question():
    result = score_question([crit(values=(1, 2, 3))], {"c": 2})
    assert result.score == 50.0 and result.scored_count == 1 and result.total_count == 1


def test_different_level_counts_per_criterion():
    three = crit("three", (1, 2, 3), weight=1.0)
    five = crit("five", (0, 1, 2, 3, 4), weight=1.0)
    result = score_question([three, five], {"three": 3, "five": 1})
    assert [r.score for r in result.results] == [100.0, 25.0]
    assert result.score == 62.5


def test_question_with_unscored_criteria_lists_them():
    a, b = crit("a"), crit("b", weight=3.0)
    result = score_question([a, b], {"a": 4}, {"b": "skipped"})
    assert result.score == 100.0
    assert [r.criterion.key for r in result.unscored] == ["b"]
    assert result.results[1].note == "skipped"
    assert score_question([a, b], {}).score is None


def test_next_level_up_is_the_next_higher_value():
    c = crit(values=(1, 3, 5))
    assert c.next_level_up(1).value == 3
    assert c.next_level_up(5) is None
    result = score_question([c], {"c": 3})
    assert result.results[0].next_level == Level(5, "L5", "descriptor 5")


def test_criteria_from_json_sorts_levels_and_defaults_weight():
    (c,) = criteria_from_json(
        [
            {
                "key": "k",
                "title": "K",
                "levels": [{"value": 3, "label": "c"}, {"value": 1, "label": "a"}],
            }
        ]
    )
    assert [lv.value for lv in c.levels] == [1, 3] and c.weight == 1.0
    with pytest.raises(ValueError, match="no levels"):
        criteria_from_json([{"key": "empty", "levels": []}])


def test_mean_ignores_none():
    assert mean([None, 10.0, 20.0]) == 15.0
    assert mean([None]) is None
