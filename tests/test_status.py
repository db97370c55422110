"""SPEC §4.2 and §4.2b edge cases of `xl_localism.status`, each worked out by hand.

f  = (As at − laa_start) ÷ (laa_end − laa_start) in days, clamped to 0–1; the `progress`
     setting overrides it; with no As at, f = 1.
target:  e = b + f·(t − b); g = |t − b|, else |t| when that is 0, else 1 when both are 0;
         d = e − a (higher) or a − e (lower); Green d ≤ 0, Amber d ≤ τ·g, else Red;
         No data if b, t or a is missing.
measure: g = |t|, else 1 when t = 0; d = t − a (higher) or a − t (lower); same bands;
         No data if t, a or the polarity is missing.

Values are chosen so that τ·g and d are exact in binary (τ = 0.25, 0.5) where a test sits on
a band's edge.
"""

from __future__ import annotations

from datetime import date

import pytest

from xl_localism.engine import assess
from xl_localism.models import IppfMeasure, LaaTarget, Settings, Submission, TrustInfo
from xl_localism.status import measure_status, progress_through_period, target_status
from xl_localism.vocab import TargetStatus

G, A, R, ND = TargetStatus.GREEN, TargetStatus.AMBER, TargetStatus.RED, TargetStatus.NO_DATA
START, END = date(2008, 4, 1), date(2011, 3, 31)  # 1094 days apart


# ---------------------------------------------------------------------------------------------
# f, the progress through the LAA period


@pytest.mark.parametrize(
    ("as_at", "fraction"),
    [
        (date(2010, 9, 30), 912 / 1094),   # the SPEC's own example: 730 + 182 days
        (date(2010, 6, 30), 820 / 1094),   # 730 + 30 + 31 + 29
        (date(2009, 4, 1), 365 / 1094),    # one (non-leap) year in
        (date(2010, 4, 1), 730 / 1094),    # two years in (Feb 2009, Feb 2010: 28 days)
        (START, 0.0),                      # the first day: nothing is expected yet
        (END, 1.0),                        # the last day: the Target itself
    ],
)
def test_progress_from_as_at_inside_the_period(as_at: date, fraction: float) -> None:
    p = progress_through_period(as_at, START, END, None)
    assert p.fraction == pytest.approx(fraction)
    assert p.as_at == as_at


@pytest.mark.parametrize(
    ("as_at", "fraction"),
    [
        (date(2008, 3, 31), 0.0),   # one day before laa_start: -1/1094 clamped to 0
        (date(2007, 1, 1), 0.0),
        (date(2011, 4, 1), 1.0),    # one day after laa_end: 1095/1094 clamped to 1
        (date(2012, 12, 31), 1.0),
    ],
)
def test_progress_is_clamped_outside_the_period(as_at: date, fraction: float) -> None:
    p = progress_through_period(as_at, START, END, None)
    assert p.fraction == fraction
    assert "outside" in p.note


def test_progress_without_as_at_is_one_and_says_so() -> None:
    p = progress_through_period(None, START, END, None)
    assert p.fraction == 1.0
    assert "no As at" in p.note


@pytest.mark.parametrize("as_at", [None, date(2010, 9, 30), date(2007, 1, 1), date(2013, 1, 1)])
@pytest.mark.parametrize("setting", [0.0, 0.25, 0.5, 1.0])
def test_progress_setting_overrides_the_as_at(as_at: date | None, setting: float) -> None:
    p = progress_through_period(as_at, START, END, setting)
    assert p.fraction == setting
    assert "progress setting" in p.note


def test_progress_follows_the_laa_period_settings() -> None:
    # A 2009/10–2010/11 round: 2009-04-01 .. 2011-03-31 is 729 days; As at 2010-09-30 is
    # 365 + 182 = 547 days in -> f = 547/729.
    p = progress_through_period(date(2010, 9, 30), date(2009, 4, 1), date(2011, 3, 31), None)
    assert p.fraction == pytest.approx(547 / 729)


@pytest.mark.parametrize(
    ("settings", "as_at", "fraction"),
    [
        (Settings(), date(2010, 9, 30), 912 / 1094),
        (Settings(progress=0.25), date(2010, 9, 30), 0.25),
        (Settings(progress=0.25), None, 0.25),
        (Settings(), None, 1.0),
        (Settings(laa_start=date(2010, 4, 1), laa_end=date(2011, 3, 31)), date(2010, 9, 30),
         182 / 364),
        (Settings(laa_start=date(2010, 4, 1), laa_end=date(2011, 3, 31)), date(2009, 9, 30),
         0.0),
    ],
)
def test_assess_uses_f_from_the_settings_and_the_as_at(
    settings: Settings, as_at: date | None, fraction: float,
) -> None:
    # NI 143 (higher) from 60 to 80, latest 60: e = 60 + 20f. With f the status and the
    # expected value follow: f = 0 -> e = 60, d = 0 -> Green; otherwise d = 20f.
    sub = Submission(
        about=TrustInfo(trust="T", as_at=as_at),
        targets=[LaaTarget(laa="L", ni="NI 143", baseline=60, target=80, latest=60,
                           role="Lead")],
        settings=settings,
    )
    a = assess(sub)
    assert a.progress == pytest.approx(fraction)
    assert a.targets[0].expected == pytest.approx(60 + 20 * fraction)


# ---------------------------------------------------------------------------------------------
# Target status (§4.2)


def test_target_trajectory_green_amber_red_at_half_way() -> None:
    # b = 0, t = 100, higher, f = 0.5 -> e = 50; g = 100; tau = 0.25 -> tau*g = 25
    assert target_status(0, 100, 50, "higher", 0.5, 0.25).status is G      # d = 0
    assert target_status(0, 100, 60, "higher", 0.5, 0.25).status is G      # d = -10
    assert target_status(0, 100, 25, "higher", 0.5, 0.25).status is A      # d = 25 = tau*g
    assert target_status(0, 100, 24.5, "higher", 0.5, 0.25).status is R    # d = 25.5
    r = target_status(0, 100, 40, "higher", 0.5, 0.25)
    assert (r.status, r.expected, r.shortfall) == (A, 50, 10)


def test_target_trajectory_lower_is_better() -> None:
    # b = 100, t = 80, lower, f = 0.25 -> e = 100 - 5 = 95; g = 20; tau = 0.25 -> tau*g = 5
    assert target_status(100, 80, 95, "lower", 0.25, 0.25).status is G     # d = 0
    assert target_status(100, 80, 100, "lower", 0.25, 0.25).status is A    # d = 5 = tau*g
    assert target_status(100, 80, 100.5, "lower", 0.25, 0.25).status is R  # d = 5.5
    assert target_status(100, 80, 81, "lower", 0.25, 0.25).status is G     # ahead: d = -14


def test_target_at_f_zero_expects_the_baseline() -> None:
    # f = 0: e = b = 10; t = 20 higher; latest 10 -> d = 0 -> Green even far from the Target
    r = target_status(10, 20, 10, "higher", 0.0, 0.1)
    assert (r.status, r.expected) == (G, 10)


def test_target_gap_when_target_equals_baseline_is_abs_target() -> None:
    # b = t = 40: e = 40 for any f; g = |t| = 40; tau = 0.25 -> tau*g = 10
    for f in (0.0, 0.5, 1.0):
        assert target_status(40, 40, 50, "lower", f, 0.25).status is A     # d = 10 = tau*g
        assert target_status(40, 40, 50.5, "lower", f, 0.25).status is R   # d = 10.5
        assert target_status(40, 40, 40, "lower", f, 0.25).status is G     # d = 0
    # Negative equal values: g = |-8| = 8; tau*g = 2; higher: e = -8, latest -10 -> d = 2
    assert target_status(-8, -8, -10, "higher", 0.5, 0.25).status is A
    assert target_status(-8, -8, -10.5, "higher", 0.5, 0.25).status is R


def test_target_gap_when_both_zero_is_one() -> None:
    # b = t = 0: e = 0; g = 1; tau = 0.25 -> tau*g = 0.25
    assert target_status(0, 0, 0.25, "lower", 0.5, 0.25).status is A      # d = 0.25
    assert target_status(0, 0, 0.5, "lower", 0.5, 0.25).status is R       # d = 0.5
    assert target_status(0, 0, 0, "lower", 0.5, 0.25).status is G
    assert target_status(0, 0, -0.25, "higher", 1.0, 0.25).status is A    # d = 0.25


def test_target_gap_uses_the_baseline_target_distance_not_the_target() -> None:
    # b = 150, t = 100 (lower), f = 1: e = 100; g = |100 - 150| = 50, tau = 0.5 -> 25.
    # (Were g = |t| = 100, tau*g = 50 and d = 26 would be Amber.)
    assert target_status(150, 100, 125, "lower", 1.0, 0.5).status is A   # d = 25 = tau*g
    assert target_status(150, 100, 126, "lower", 1.0, 0.5).status is R   # d = 26 > 25


@pytest.mark.parametrize("missing", ["baseline", "target", "latest"])
def test_target_no_data_when_a_value_is_missing(missing: str) -> None:
    args = {"baseline": 1.0, "target": 2.0, "latest": 3.0, missing: None}
    r = target_status(polarity="higher", progress=0.5, **args)
    assert (r.status, r.expected, r.shortfall) == (ND, None, None)


def test_target_tolerance_zero_leaves_no_amber() -> None:
    # tau = 0: Amber only when d <= 0, which is Green first; any shortfall is Red
    assert target_status(0, 10, 10, "higher", 1.0, 0.0).status is G
    assert target_status(0, 10, 9.5, "higher", 1.0, 0.0).status is R


# ---------------------------------------------------------------------------------------------
# Measure status (§4.2b): no trajectory


def test_measure_bands_higher() -> None:
    # t = 80 higher; g = 80; tau = 0.25 -> tau*g = 20
    assert measure_status(80, 80, "higher", 0.25).status is G     # d = 0
    assert measure_status(80, 90, "higher", 0.25).status is G     # d = -10
    assert measure_status(80, 60, "higher", 0.25).status is A     # d = 20 = tau*g
    assert measure_status(80, 59.5, "higher", 0.25).status is R   # d = 20.5
    r = measure_status(80, 70, "higher", 0.25)
    assert (r.status, r.shortfall) == (A, 10)


def test_measure_bands_lower() -> None:
    # SICK-like: t = 8 lower; g = 8; tau = 0.25 -> tau*g = 2
    assert measure_status(8, 7, "lower", 0.25).status is G        # d = -1
    assert measure_status(8, 10, "lower", 0.25).status is A       # d = 2 = tau*g
    assert measure_status(8, 10.5, "lower", 0.25).status is R     # d = 2.5


def test_measure_target_zero_has_gap_one() -> None:
    # t = 0: g = 1; tau = 0.25 -> 0.25
    assert measure_status(0, 0.25, "lower", 0.25).status is A
    assert measure_status(0, 0.5, "lower", 0.25).status is R
    assert measure_status(0, -0.25, "higher", 0.25).status is A
    assert measure_status(0, 0, "higher", 0.25).status is G


def test_measure_negative_target_uses_its_absolute_value() -> None:
    # t = -40 higher: g = 40; tau = 0.25 -> 10; a = -50 -> d = -40 - (-50) = 10 -> Amber
    assert measure_status(-40, -50, "higher", 0.25).status is A
    assert measure_status(-40, -50.5, "higher", 0.25).status is R


@pytest.mark.parametrize(
    ("target", "actual", "polarity"),
    [(None, 5.0, "higher"), (5.0, None, "lower"), (5.0, 5.0, None), (None, None, None)],
)
def test_measure_no_data_when_target_actual_or_polarity_is_missing(
    target: float | None, actual: float | None, polarity: str | None,
) -> None:
    r = measure_status(target, actual, polarity, 0.1)
    assert (r.status, r.shortfall) == (ND, None)


def test_measure_ignores_progress() -> None:
    # The same workbook at two As at dates: targets move, a measure does not.
    def at(as_at: date) -> Submission:
        return Submission(about=TrustInfo(trust="T", as_at=as_at),
                          measures=[IppfMeasure(code="PSR", target=90, actual=85)])

    early, late = assess(at(date(2008, 10, 1))), assess(at(date(2011, 3, 31)))
    # d = 90 - 85 = 5; g = 90; tau*g = 9 -> Amber at both dates
    assert early.measures[0].status is A
    assert late.measures[0].status is A
