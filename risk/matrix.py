"""The risk matrix (DESIGN.md §8): EU Safety Gate method, Commission Implementing
Decision (EU) 2019/417, now Annex II of Delegated Regulation (EU) 2024/3173.

Kept as versioned configuration: every assessment records the version it used, and a new
version is added here (and selected with LEVEE_RULES["risk_matrix_version"]) rather than
the old one edited. Probabilities are exact fractions, so a product of steps such as
0.1 * 0.1 lands exactly on the 1/100 boundary instead of a hair above it.

A band holds the probabilities above its lower bound up to the next band's: 1/10 itself is
in the "> 1/100" band, and exactly 1/1,000,000 is in the lowest.
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from core.rules import rule

from .choices import Measure, RiskLevel

S, H, M, L = RiskLevel.SERIOUS, RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW


@dataclass(frozen=True)
class Band:
    above: Fraction  # exclusive lower bound
    label: str
    levels: tuple[str, str, str, str]  # severity 1..4


@dataclass(frozen=True)
class Matrix:
    version: str
    bands: tuple[Band, ...]  # highest first; the last has `above` 0

    def band(self, probability):
        for band in self.bands:
            if probability > band.above:
                return band
        return self.bands[-1]

    def level(self, probability, severity):
        return self.band(probability).levels[severity - 1]


MATRICES = {
    "eu-2019-417": Matrix(
        version="eu-2019-417",
        bands=(
            Band(Fraction(1, 2), "> 50%", (H, S, S, S)),
            Band(Fraction(1, 10), "> 1/10", (M, S, S, S)),
            Band(Fraction(1, 100), "> 1/100", (M, S, S, S)),
            Band(Fraction(1, 1_000), "> 1/1,000", (L, H, S, S)),
            Band(Fraction(1, 10_000), "> 1/10,000", (L, M, H, S)),
            Band(Fraction(1, 100_000), "> 1/100,000", (L, L, M, H)),
            Band(Fraction(1, 1_000_000), "> 1/1,000,000", (L, L, L, M)),
            Band(Fraction(0), "≤ 1/1,000,000", (L, L, L, L)),
        ),
    ),
}

MEASURES = {S: Measure.RECALL, H: Measure.TAKE_DOWN, M: Measure.WARNING, L: Measure.MONITOR}


def current():
    return MATRICES[rule("risk_matrix_version")]


def exact(probability):
    """A probability as an exact fraction (from a Decimal, a string or a float's
    shortest decimal form)."""
    if isinstance(probability, Fraction):
        return probability
    return Fraction(Decimal(str(probability)))


def overall(probabilities):
    result = Fraction(1)
    for p in probabilities:
        result *= exact(p)
    return result


@dataclass(frozen=True)
class Evaluation:
    matrix_version: str
    probability: Fraction
    band: str
    risk_level: str
    measure: str
    sensitivity: dict


def evaluate(probabilities, severity, matrix=None):
    """The overall probability, level and measure for a scenario, and the sensitivity
    block the EU guidelines ask for: the level when every step is ten times more likely
    (capped at 1) or ten times less, and the same for each step alone."""
    matrix = matrix or current()
    steps = [exact(p) for p in probabilities]
    probability = overall(steps)
    level = matrix.level(probability, severity)

    def scaled(index, factor):
        return [
            min(p * factor, Fraction(1)) if index is None or i == index else p
            for i, p in enumerate(steps)
        ]

    def summary(scenario):
        p = overall(scenario)
        return {"probability": float(p), "risk_level": matrix.level(p, severity)}

    sensitivity = {
        "higher": summary(scaled(None, 10)),
        "lower": summary(scaled(None, Fraction(1, 10))),
        "steps": [
            {
                "step": i,
                "higher": summary(scaled(i, 10))["risk_level"],
                "lower": summary(scaled(i, Fraction(1, 10)))["risk_level"],
            }
            for i in range(len(steps))
        ],
    }
    sensitivity["stable"] = (
        sensitivity["higher"]["risk_level"] == level == sensitivity["lower"]["risk_level"]
    )
    return Evaluation(
        matrix_version=matrix.version,
        probability=probability,
        band=matrix.band(probability).label,
        risk_level=level,
        measure=MEASURES[level],
        sensitivity=sensitivity,
    )
