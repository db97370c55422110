"""SPEC §4.2: whether an LAA target is on track."""

from __future__ import annotations

from typing import NamedTuple

from xl_localism.vocab import Polarity, TargetStatus

# e = b + 1.0·(t - b) can land a rounding error away from t; forgive that much and no more.
_EPSILON = 1e-12


class StatusResult(NamedTuple):
    status: TargetStatus
    expected: float | None
    shortfall: float | None


def target_status(
    baseline: float | None,
    target: float | None,
    latest: float | None,
    polarity: Polarity | str,
    progress: float = 1.0,
    tolerance: float = 0.10,
) -> StatusResult:
    """Green when the latest value meets the expected trajectory, Amber within tolerance, else Red.

    >>> target_status(100, 80, 81, "lower").status
    <TargetStatus.AMBER: 'Amber'>
    """
    polarity = Polarity(polarity)
    if baseline is None or target is None or latest is None:
        return StatusResult(TargetStatus.NO_DATA, None, None)
    expected = baseline + progress * (target - baseline)
    gap = abs(target - baseline) or abs(target) or 1.0
    shortfall = expected - latest if polarity is Polarity.HIGHER else latest - expected
    scale = _EPSILON * max(1.0, abs(expected), abs(latest))
    if shortfall <= scale:
        status = TargetStatus.GREEN
    elif shortfall <= tolerance * gap + scale:
        status = TargetStatus.AMBER
    else:
        status = TargetStatus.RED
    return StatusResult(status, expected, shortfall)
