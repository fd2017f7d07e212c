"""Krippendorff's alpha and Cohen's kappa against hand-computed and published figures."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from syndisco_widgets.analysis import cohen_kappa, krippendorff_alpha, pairwise_kappa
from syndisco_widgets.errors import ConfigError

N = None
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the 4 coders x 12 units example.
PUBLISHED = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]


def test_alpha_nominal_by_hand():
    # Units (a,a) (a,b) (b,b) (b,b): o_aa=2, o_ab=o_ba=1, o_bb=4; n_a=3, n_b=5, n=8.
    # D_o = 2/8, D_e = (3*5 + 5*3) / (8*7) = 30/56, alpha = 1 - (1/4)/(30/56) = 8/15.
    assert krippendorff_alpha([["a", "a", "b", "b"], ["a", "b", "b", "b"]]) == pytest.approx(8 / 15)


def test_alpha_ordinal_by_hand():
    # Units (1,1) (2,3) (3,3): n_1=2, n_2=1, n_3=3, n=6.
    # delta^2(2,3) = (1 + 3 - 2)^2 = 4; D_o = (4 + 4)/6; D_e = 2*(2*1*2.25 + 1*3*4 + 2*3*12.25)/30 = 6.
    assert krippendorff_alpha([[1, 2, 3], [1, 3, 3]], "ordinal") == pytest.approx(1 - (8 / 6) / 6)


def test_alpha_published_example():
    assert krippendorff_alpha(PUBLISHED) == pytest.approx(0.743, abs=5e-4)
    assert krippendorff_alpha(PUBLISHED, "interval") == pytest.approx(0.849, abs=5e-4)


def test_alpha_accepts_a_dataframe_with_nan():
    frame = pd.DataFrame(PUBLISHED, dtype=float)
    assert krippendorff_alpha(frame) == pytest.approx(0.743, abs=5e-4)


def test_alpha_edge_cases():
    assert krippendorff_alpha([[1, 1], [1, 1]]) != krippendorff_alpha([[1, 1], [1, 1]])  # NaN: no variation
    assert math.isnan(krippendorff_alpha([[1, N], [N, 2]]))  # nothing pairable
    assert krippendorff_alpha([[1, 2], [1, 2]]) == 1.0
    with pytest.raises(ConfigError, match="level"):
        krippendorff_alpha([[1]], "ratio")
    with pytest.raises(ConfigError, match="one value per unit"):
        krippendorff_alpha([[1, 2], [1]])
    with pytest.raises(ConfigError, match="ordered"):
        krippendorff_alpha([[1, "a"], [1, "a"]], "ordinal")


def test_kappa_by_hand():
    # p_o = 3/4; p_e = .5*.25 + .5*.75 = .5; kappa = (.75 - .5)/(1 - .5) = .5
    assert cohen_kappa("aabb", "abbb") == pytest.approx(0.5)
    assert cohen_kappa([1, 2, N], [1, 2, 3]) == 1.0
    assert math.isnan(cohen_kappa([N], [1]))
    assert math.isnan(cohen_kappa("aa", "aa"))
    with pytest.raises(ValueError):
        cohen_kappa("ab", "a")


def test_pairwise_kappa_uses_units_both_labelled():
    data = pd.DataFrame(
        [["a", "a", "b", "b"], ["a", "b", "b", "b"], ["a", "a", N, "b"]], index=["x", "y", "z"]
    )
    table = pairwise_kappa(data)
    assert table[["first", "second", "units"]].to_numpy().tolist() == [
        ["x", "y", 4],
        ["x", "z", 3],
        ["y", "z", 3],
    ]
    assert table["kappa"].tolist()[0] == pytest.approx(0.5)
    assert table["kappa"].tolist()[1] == 1.0
