"""The EU Safety Gate risk matrix of DESIGN.md §8, cell by cell, with its boundaries."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from risk import matrix

ORDER = ["low", "medium", "high", "serious"]

# One probability inside each band, and the band's row of the table (severity 1..4).
TABLE = [
    (0.6, ["high", "serious", "serious", "serious"]),
    (0.2, ["medium", "serious", "serious", "serious"]),
    (0.02, ["medium", "serious", "serious", "serious"]),
    (0.002, ["low", "high", "serious", "serious"]),
    (0.0002, ["low", "medium", "high", "serious"]),
    (0.00002, ["low", "low", "medium", "high"]),
    (0.000002, ["low", "low", "low", "medium"]),
    (0.0000002, ["low", "low", "low", "low"]),
]
CELLS = [(p, severity, row[severity - 1]) for p, row in TABLE for severity in (1, 2, 3, 4)]


@pytest.mark.parametrize(("probability", "severity", "level"), CELLS)
def test_each_cell_of_the_matrix(probability, severity, level):
    assert matrix.evaluate([probability], severity).risk_level == level


@pytest.mark.parametrize(
    ("probability", "band"),
    [
        (1, "> 50%"),
        ("0.5000001", "> 50%"),
        ("0.5", "> 1/10"),  # a band holds probabilities above its lower bound
        ("0.1", "> 1/100"),
        ("0.01", "> 1/1,000"),
        ("0.001", "> 1/10,000"),
        ("0.0001", "> 1/100,000"),
        ("0.00001", "> 1/1,000,000"),
        ("0.0000010000001", "> 1/1,000,000"),
        ("0.000001", "≤ 1/1,000,000"),
        ("1E-12", "≤ 1/1,000,000"),
    ],
)
def test_band_boundaries_belong_to_the_band_below(probability, band):
    assert matrix.evaluate([probability], 1).band == band


def test_a_product_of_steps_on_a_boundary_is_exact_not_a_float_hair_above():
    # 0.1 * 0.1 is 0.010000000000000002 in binary floating point: it would land in the
    # "> 1/100" band and read serious; exactly 1/100 is "> 1/1,000" and high.
    evaluation = matrix.evaluate([0.1, 0.1], 2)
    assert evaluation.probability == Fraction(1, 100)
    assert (evaluation.band, evaluation.risk_level) == ("> 1/1,000", "high")


@pytest.mark.parametrize(
    ("level", "measure"),
    [("serious", "recall"), ("high", "take_down"), ("medium", "warning"), ("low", "monitor")],
)
def test_each_level_recommends_its_measure(level, measure):
    probability = {"serious": 0.6, "high": 0.6, "medium": 0.2, "low": 0.0000002}[level]
    severity = {"serious": 2, "high": 1, "medium": 1, "low": 4}[level]
    evaluation = matrix.evaluate([probability], severity)
    assert (evaluation.risk_level, evaluation.measure) == (level, measure)


def test_sensitivity_gives_the_level_ten_times_higher_and_lower():
    evaluation = matrix.evaluate(["0.1", "0.01"], 3)  # 1/1,000: "> 1/10,000", high
    assert evaluation.risk_level == "high"
    sensitivity = evaluation.sensitivity
    assert sensitivity["higher"] == {"probability": 0.1, "risk_level": "serious"}
    assert sensitivity["lower"] == {"probability": 0.00001, "risk_level": "low"}
    assert sensitivity["steps"] == [
        {"step": 0, "higher": "serious", "lower": "medium"},  # 1 * 0.01; 0.01 * 0.01
        {"step": 1, "higher": "serious", "lower": "medium"},
    ]
    assert sensitivity["stable"] is False


def test_sensitivity_caps_a_step_at_certainty():
    evaluation = matrix.evaluate(["0.5", "0.5"], 1)
    assert evaluation.sensitivity["higher"]["probability"] == 1.0
    assert evaluation.sensitivity["steps"][0]["higher"] == "medium"  # 1 * 0.5 is not > 50%


def test_every_assessment_records_the_matrix_version():
    assert matrix.evaluate([0.5], 1).matrix_version == "eu-2019-417"


probabilities = st.fractions(min_value=Fraction(1, 10**9), max_value=1)


@given(probabilities, probabilities, st.integers(1, 4), st.integers(1, 4))
def test_the_level_never_falls_as_probability_or_severity_rises(p, q, s, t):
    low_p, high_p = sorted((p, q))
    low_s, high_s = sorted((s, t))
    low = matrix.evaluate([low_p], low_s).risk_level
    high = matrix.evaluate([high_p], high_s).risk_level
    assert ORDER.index(low) <= ORDER.index(high)
