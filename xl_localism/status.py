"""SPEC §4.2 and §4.2b: whether an LAA target or an IPPF measure is on track, and why.

Each judgement comes with its arithmetic in words, so whoever reads a status can check it.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from xl_localism.vocab import Polarity, TargetStatus

# e = b + 1.0·(t - b) can land a rounding error away from t; forgive that much and no more.
_EPSILON = 1e-12


class StatusResult(NamedTuple):
    status: TargetStatus
    expected: float | None
    shortfall: float | None
    explanation: str = ""


class Progress(NamedTuple):
    """How far through the LAA period targets are judged (f of SPEC §4.2), and why."""

    fraction: float
    note: str
    as_at: date | None = None


def number_text(value: float) -> str:
    """A figure as a manager reads it: whole numbers plainly, others to at most two decimals."""
    if abs(value - round(value)) < 1e-9:
        return f"{round(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def percent_text(fraction: float) -> str:
    return f"{100 * fraction:.0f}%" if abs(100 * fraction - round(100 * fraction)) < 1e-9 \
        else f"{100 * fraction:.1f}%"


def progress_through_period(
    as_at: date | None, laa_start: date, laa_end: date, progress_setting: float | None
) -> Progress:
    """f = (As at − laa_start) ÷ (laa_end − laa_start) in days, clamped to 0–1, unless the
    workbook's ``progress`` setting gives it; 1 when there is no As at date."""
    period = f"{laa_start:%d/%m/%Y}–{laa_end:%d/%m/%Y}"
    if progress_setting is not None:
        return Progress(progress_setting,
                        f"the Config sheet's progress setting puts every target "
                        f"{percent_text(progress_setting)} of the way from its Baseline to its "
                        "Target", as_at)
    if as_at is None:
        return Progress(1.0, "there is no As at date, so every target is judged against its "
                        "end point, the Target itself (f = 1)")
    elapsed = (as_at - laa_start).days
    length = (laa_end - laa_start).days
    fraction = min(1.0, max(0.0, elapsed / length))
    where = (f"{elapsed} of the {length} days of the LAA period {period}"
             if 0 <= elapsed <= length else
             f"As at {as_at:%d/%m/%Y} is outside the LAA period {period}, so f is held at "
             f"{fraction:g}")
    return Progress(fraction, f"targets are judged on their trajectory at {as_at:%d/%m/%Y}: "
                    f"f = {fraction:.3f} ({where})", as_at)


def _judge(shortfall: float, allowance: float, scale: float) -> TargetStatus:
    if shortfall <= scale:
        return TargetStatus.GREEN
    if shortfall <= allowance + scale:
        return TargetStatus.AMBER
    return TargetStatus.RED


def _verdict(status: TargetStatus, tolerance: float, allowance: float, basis: str) -> str:
    if status is TargetStatus.GREEN:
        return " → Green"
    within = "within" if status is TargetStatus.AMBER else "more than"
    return (f"; {within} the tolerance of {number_text(allowance)} ({percent_text(tolerance)} of "
            f"{basis}) → {status}")


def _behind(shortfall: float, what: str) -> str:
    if abs(shortfall) < 1e-9:
        return f"is exactly on {what}"
    return (f"is {number_text(shortfall)} behind {what}" if shortfall > 0
            else f"is {number_text(-shortfall)} ahead of {what}")


def target_status(
    baseline: float | None,
    target: float | None,
    latest: float | None,
    polarity: Polarity | str,
    progress: float = 1.0,
    tolerance: float = 0.10,
    as_at: date | None = None,
) -> StatusResult:
    """Green when the latest value meets the expected trajectory, Amber within tolerance, else Red.

    >>> target_status(100, 80, 81, "lower").status
    <TargetStatus.AMBER: 'Amber'>
    """
    polarity = Polarity(polarity)
    missing = [name for name, value in (("Baseline", baseline), ("Target", target),
                                        ("Latest", latest)) if value is None]
    if baseline is None or target is None or latest is None:
        return StatusResult(TargetStatus.NO_DATA, None, None,
                            f"no {' or '.join(missing)}, so No data")
    expected = baseline + progress * (target - baseline)
    gap = abs(target - baseline) or abs(target) or 1.0
    shortfall = expected - latest if polarity is Polarity.HIGHER else latest - expected
    allowance = tolerance * gap
    status = _judge(shortfall, allowance, _EPSILON * max(1.0, abs(expected), abs(latest)))
    when = f" at {as_at:%d/%m/%Y}" if as_at is not None else ""
    way = (f"{percent_text(progress)} of the way from {number_text(baseline)} to "
           f"{number_text(target)}, {polarity} is better")
    if target != baseline:
        basis = f"the {number_text(gap)} between Baseline and Target"
    else:
        basis = f"{number_text(gap)}, as Baseline and Target are equal"
    explanation = (f"expected {number_text(expected)}{when} ({way}); latest "
                   f"{number_text(latest)} {_behind(shortfall, 'it')}"
                   f"{_verdict(status, tolerance, allowance, basis)}")
    return StatusResult(status, expected, shortfall, explanation)


def measure_status(
    target: float | None,
    actual: float | None,
    polarity: Polarity | str | None,
    tolerance: float = 0.10,
) -> StatusResult:
    """SPEC §4.2b: an IPPF measure against its annual Target; no trajectory."""
    missing = [name for name, value in (("Target", target), ("Actual", actual),
                                        ("Polarity", polarity)) if value is None]
    if target is None or actual is None or polarity is None:
        return StatusResult(TargetStatus.NO_DATA, None, None,
                            f"no {' or '.join(missing)}, so No data")
    polarity = Polarity(polarity)
    gap = abs(target) or 1.0
    shortfall = target - actual if polarity is Polarity.HIGHER else actual - target
    allowance = tolerance * gap
    status = _judge(shortfall, allowance, _EPSILON * max(1.0, abs(target), abs(actual)))
    basis = f"the target {number_text(target)}" if target else "1, as the target is 0"
    explanation = (f"actual {number_text(actual)} "
                   f"{_behind(shortfall, f'the target of {number_text(target)}')} "
                   f"({polarity} is better){_verdict(status, tolerance, allowance, basis)}")
    return StatusResult(status, target, shortfall, explanation)
