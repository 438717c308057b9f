"""Statistics read from a run view: vacancies, agreements."""

import math

import numpy as np
import pytest

from validation.statistics import bilateral_agreement_by_year2, year1_position_months_vacant


def test_year1_vacancy_is_the_share_of_funded_position_months_left_empty(make_view):
    funded = [4] * 12 + [2] * 12
    filled = [0, 1, 2, 2, 3, 4, 4, 4, 4, 4, 4, 4] + [2] * 12  # 36 of 48 position-months
    view = make_view({"positions_funded": funded, "positions_filled": filled})
    assert year1_position_months_vacant(view) == pytest.approx(12 / 48)
    none = make_view({"positions_funded": [0] * 24, "positions_filled": [0] * 24})
    assert math.isnan(year1_position_months_vacant(none))


def test_bilateral_agreement_counts_years_one_and_two_only(make_view):
    month23 = np.zeros(120, dtype=int)
    month23[23:] = 1
    month24 = np.zeros(120, dtype=int)
    month24[24:] = 1
    lost = np.zeros(120, dtype=int)
    lost[5:9] = 1  # signed, then gone with its tie: it still stood in year 1
    assert bilateral_agreement_by_year2(make_view(probes={"agreements": month23})) == 1.0
    assert bilateral_agreement_by_year2(make_view(probes={"agreements": month24})) == 0.0
    assert bilateral_agreement_by_year2(make_view(probes={"agreements": lost})) == 1.0
