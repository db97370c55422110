"""Property tests of the scoring engine (SPEC v2 §4, §5) over random valid submissions.

A "valid" submission is one the workbook reader could hand the engine: checklist IDs are unique
(the reader drops a repeated ID as DUPLICATE_ROW) and so is each (LAA, NI) pair of the Targets.
Checklist weights are drawn from multiples of 0.5 so that sums are exact in binary floating
point: a reordering then has no rounding excuse to change a result.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_localism.catalogue import default_catalogue
from xl_localism.engine import assess
from xl_localism.models import (
    Assessment,
    ChecklistItem,
    IndicatorOverride,
    IppfMeasure,
    LaaTarget,
    Objective,
    Settings,
    Submission,
    TrustInfo,
)
from xl_localism.status import measure_status, target_status
from xl_localism.vocab import Driver, Nation, Polarity, Role, Status, TargetStatus

CATALOGUE = default_catalogue()
RELEVANT_NIS = sorted(CATALOGUE.indicators)
# Valid National Indicators that are not probation relevant (no drivers in the catalogue).
OTHER_NIS = ["NI 1", "NI 7", "NI 110", "NI 152", "NI 186", "NI 198"]
ALL_NIS = [*RELEVANT_NIS, *OTHER_NIS]
CHECKLIST_IDS = [*(c.id for c in CATALOGUE.checklist), "X1", "Z2"]
MEASURE_CODES = [*sorted(CATALOGUE.measures), "LOCAL1", "LOCAL2"]
LAAS = ["Kent", "Medway", "Leeds", "Cardiff"]
REFS = ["BP1", "BP2", "bp 3", "BP4"]
PLAN_REFS = [*REFS, "BP1; BP9", "BP9", "XX"]

PROPERTY_SETTINGS = settings(max_examples=80, deadline=None)

weights = st.sampled_from([0.0, 0.5, 1.0, 1.0, 1.0, 1.5, 2.0, 3.0])
numbers = st.none() | st.integers(-50, 500).map(float) | st.floats(
    -1000, 1000, allow_nan=False, allow_infinity=False
)
dates = st.none() | st.dates(date(2009, 1, 1), date(2012, 12, 31))
texts = st.none() | st.sampled_from(["Minutes", "Report v2", "Link"])
drivers = st.sampled_from(list(Driver))
ni_lists = st.lists(st.sampled_from(ALL_NIS), max_size=3, unique=True).map(", ".join)


@st.composite
def checklist_items(draw: st.DrawFn) -> list[ChecklistItem]:
    ids = draw(st.lists(st.sampled_from(CHECKLIST_IDS), max_size=12, unique=True))
    return [
        ChecklistItem(
            id=id_, weight=draw(weights), status=draw(st.sampled_from(list(Status))),
            evidence=draw(texts), due=draw(dates),
        )
        for id_ in ids
    ]


@st.composite
def laa_targets(draw: st.DrawFn) -> list[LaaTarget]:
    keys = draw(st.lists(st.tuples(st.sampled_from(LAAS), st.sampled_from(ALL_NIS)),
                         max_size=10, unique=True))
    return [
        LaaTarget(
            laa=laa, ni=ni, baseline=draw(numbers), target=draw(numbers), latest=draw(numbers),
            role=draw(st.sampled_from(list(Role))),
            plan_ref=draw(st.none() | st.sampled_from(PLAN_REFS)),
        )
        for laa, ni in keys
    ]


measures = st.builds(
    IppfMeasure,
    code=st.sampled_from(MEASURE_CODES),
    driver=st.none() | drivers,
    polarity=st.none() | st.sampled_from(list(Polarity)),
    target=numbers,
    actual=numbers,
    linked_ni=ni_lists,
)
objectives = st.builds(
    Objective,
    ref=st.sampled_from(REFS),
    drivers=st.lists(drivers, min_size=1, max_size=3, unique=True),
    linked_ni=ni_lists,
)


@st.composite
def score_settings(draw: st.DrawFn) -> Settings:
    if draw(st.booleans()):
        return Settings()
    fraction = st.sampled_from([0.0, 0.1, 0.2, 0.25, 0.4, 0.5, 0.75, 1.0])
    w_s, w_a, w_p = draw(st.tuples(fraction, fraction, fraction).filter(lambda w: sum(w) > 0))
    amber, green = sorted(draw(st.lists(st.integers(0, 100), min_size=2, max_size=2)))
    # v2: progress is optional (None: from the As at and the LAA period), and the period itself
    # is a setting.
    start = draw(st.sampled_from([date(2008, 4, 1), date(2009, 4, 1), date(2010, 4, 1)]))
    end = draw(st.sampled_from([date(2011, 3, 31), date(2012, 3, 31)]))
    return Settings(
        weight_self_assessment=w_s, weight_alignment=w_a, weight_performance=w_p,
        amber_threshold=amber, green_threshold=green,
        progress=draw(st.none() | fraction), tolerance=draw(fraction),
        laa_start=start, laa_end=end,
    )


@st.composite
def indicator_overrides(draw: st.DrawFn) -> list[IndicatorOverride]:
    """A workbook's own Catalogue rows (SPEC §2): new NIs, or shipped ones redefined."""
    nis = draw(st.lists(st.sampled_from(ALL_NIS), max_size=3, unique=True))
    return [
        IndicatorOverride(ni=ni, polarity=draw(st.sampled_from(list(Polarity))),
                          drivers=draw(st.lists(drivers, max_size=2, unique=True)))
        for ni in nis
    ]


@st.composite
def submissions(draw: st.DrawFn, nation: Nation | None = None) -> Submission:
    # Most workbooks keep the shipped catalogue; some carry their own Catalogue rows.
    overrides = draw(st.sampled_from([False, False, False, True]))
    return Submission(
        about=TrustInfo(
            trust="Trust", nation=nation or draw(st.sampled_from(list(Nation))), as_at=draw(dates),
        ),
        checklist=draw(checklist_items()),
        targets=draw(laa_targets()),
        measures=draw(st.lists(measures, max_size=6)),
        objectives=draw(st.lists(objectives, max_size=4)),
        settings=draw(score_settings()),
        indicators=draw(indicator_overrides()) if overrides else [],
    )


def results(a: Assessment) -> dict[str, object]:
    """Everything a reader sees, in a form that does not depend on row order."""
    return {
        "score": a.score,
        "rag": a.rag,
        "rag_before_cap": a.rag_before_cap,
        "capped_by": a.capped_by,
        "components": [
            c.value for c in (a.self_assessment, a.alignment, a.performance, a.linkage,
                              a.driver_coverage, a.measure_alignment, a.performance_targets,
                              a.performance_measures)
        ],
        "ni_measurable": a.ni_measurable,
        "drivers": [(d.driver, d.score, d.rag, d.covered, d.relevant_targets,
                     d.linkage.value, d.measure_alignment.value, d.performance.value)
                    for d in a.drivers],
        "flags": sorted((f.code, str(f.severity), f.message) for f in a.flags),
    }


# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(submissions())
def test_score_driver_scores_and_components_stay_in_range(submission: Submission) -> None:
    a = assess(submission)
    assert 0 <= a.score <= 100
    for d in a.drivers:
        assert d.score is None or 0 <= d.score <= 100
        for part in (d.linkage, d.measure_alignment, d.performance):
            assert part.value is None or 0 <= part.value <= 1
    for part in (a.self_assessment, a.alignment, a.performance, a.linkage, a.driver_coverage,
                 a.measure_alignment):
        assert part.value is None or 0 <= part.value <= 1
    # S and A always exist (A2 always does); A1 exists exactly in England.
    assert a.self_assessment.value is not None
    assert a.alignment.value is not None
    assert (a.linkage.value is None) == (submission.about.nation is Nation.WALES)


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(submissions(), st.data())
def test_adding_a_complete_item_never_lowers_self_assessment(
    submission: Submission, data: st.DataObject,
) -> None:
    taken = {i.id.upper() for i in submission.checklist}
    new_id = data.draw(
        st.from_regex(r"\A[A-VX-Z][0-9]{1,2}\Z").filter(lambda s: s.upper() not in taken)
    )
    new_item = ChecklistItem(id=new_id, status=Status.COMPLETE, weight=data.draw(weights),
                             evidence=data.draw(texts))
    position = data.draw(st.integers(0, len(submission.checklist)))
    checklist = list(submission.checklist)
    checklist.insert(position, new_item)

    before = assess(submission).self_assessment.value
    after = assess(submission.model_copy(update={"checklist": checklist})).self_assessment.value
    assert before is not None and after is not None
    assert after >= before


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(submissions(), st.data())
def test_reordering_rows_never_changes_any_result(
    submission: Submission, data: st.DataObject,
) -> None:
    shuffled = submission.model_copy(update={
        "checklist": data.draw(st.permutations(submission.checklist)),
        "targets": data.draw(st.permutations(submission.targets)),
        "measures": data.draw(st.permutations(submission.measures)),
        "objectives": data.draw(st.permutations(submission.objectives)),
    })
    assert results(assess(shuffled)) == results(assess(submission))


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(submissions(nation=Nation.WALES), st.data())
def test_welsh_trust_gets_no_ni_linkage_penalty(
    submission: Submission, data: st.DataObject,
) -> None:
    a = assess(submission)
    assert a.linkage.value is None
    assert all(d.linkage.value is None for d in a.drivers)
    assert "LAA_UNLINKED" not in a.flag_codes()

    # Change or remove every Plan ref: nothing may move.
    retargeted = [
        t.model_copy(update={"plan_ref": data.draw(st.none() | st.sampled_from(PLAN_REFS))})
        for t in submission.targets
    ]
    b = assess(submission.model_copy(update={"targets": retargeted}))
    assert b.score == a.score
    assert b.rag == a.rag
    assert [d.score for d in b.drivers] == [d.score for d in a.drivers]
    assert results(b) == results(a)


STATUS_RANK = {TargetStatus.RED: 0, TargetStatus.AMBER: 1, TargetStatus.GREEN: 2}
values = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)
fractions = st.floats(0, 1, allow_nan=False)


@PROPERTY_SETTINGS
@given(values, values, values, st.floats(0, 1e4, allow_nan=False), fractions, fractions)
def test_target_status_is_monotonic_in_latest_for_higher_polarity(
    baseline: float, target: float, latest: float, rise: float, progress: float,
    tolerance: float,
) -> None:
    lower = target_status(baseline, target, latest, "higher", progress, tolerance).status
    higher = target_status(baseline, target, latest + rise, "higher", progress, tolerance).status
    assert STATUS_RANK[higher] >= STATUS_RANK[lower]


@PROPERTY_SETTINGS
@given(values, values, values, st.floats(0, 1e4, allow_nan=False), fractions, fractions)
def test_target_status_is_monotonic_in_latest_for_lower_polarity(
    baseline: float, target: float, latest: float, fall: float, progress: float,
    tolerance: float,
) -> None:
    worse = target_status(baseline, target, latest, "lower", progress, tolerance).status
    better = target_status(baseline, target, latest - fall, "lower", progress, tolerance).status
    assert STATUS_RANK[better] >= STATUS_RANK[worse]


@PROPERTY_SETTINGS
@given(st.sampled_from(["baseline", "target", "latest"]), values, values, values,
       st.sampled_from(list(Polarity)))
def test_target_status_is_no_data_when_any_value_is_missing(
    missing: str, baseline: float, target: float, latest: float, polarity: Polarity,
) -> None:
    args = {"baseline": baseline, "target": target, "latest": latest, missing: None}
    assert target_status(polarity=polarity, **args).status is TargetStatus.NO_DATA


@PROPERTY_SETTINGS
@given(values, values, st.floats(0, 1e4, allow_nan=False), st.sampled_from(list(Polarity)),
       fractions)
def test_measure_status_is_monotonic_in_actual(
    target: float, actual: float, step: float, polarity: Polarity, tolerance: float,
) -> None:
    # SPEC §4.2b: a better Actual (larger for 'higher', smaller for 'lower') is never worse.
    better = actual + step if polarity is Polarity.HIGHER else actual - step
    before = measure_status(target, actual, polarity, tolerance).status
    after = measure_status(target, better, polarity, tolerance).status
    assert STATUS_RANK[after] >= STATUS_RANK[before]


# ---------------------------------------------------------------------------------------------
# SPEC v2: NI-measurable drivers (§4.3, §4.5), pooled performance (§4.3)


def resolved_driver(m: IppfMeasure, catalogue=CATALOGUE) -> Driver | None:
    """The measure's driver as SPEC §2.2 reads it: the row's, else the catalogue default."""
    default = catalogue.measure(m.code)
    return m.driver or (default.driver if default else None)


def expected_ni_measurable(submission: Submission) -> set[Driver]:
    """Drivers carried by at least one NI once the workbook's Catalogue rows are laid over the
    shipped catalogue (worked out here from the CSV-backed catalogue, not by the engine)."""
    entries = {code: set(ni.drivers) for code, ni in CATALOGUE.indicators.items()}
    for row in submission.indicators:
        entries[row.ni] = set(row.drivers)
    return set().union(*entries.values())


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(submissions())
def test_a_driver_no_ni_carries_never_gets_measure_alignment(submission: Submission) -> None:
    a = assess(submission)
    measurable = expected_ni_measurable(submission)
    assert set(a.ni_measurable) == measurable
    for d in a.drivers:
        has_measures = any(resolved_driver(m) is d.driver for m in submission.measures)
        assert d.ni_measurable == (d.driver in measurable)
        if d.driver not in measurable:
            assert d.measure_alignment.value is None
        else:
            assert (d.measure_alignment.value is not None) == has_measures
    # A3 counts exactly the measures of NI-measurable or unknown drivers.
    counted = [m for m in submission.measures
               if resolved_driver(m) is None or resolved_driver(m) in measurable]
    if counted:
        assert a.measure_alignment.denominator == len(counted)
    else:
        assert a.measure_alignment.value is None
    # IPPF_VERTICAL_ONLY is info exactly for the measures of drivers no NI carries.
    vertical_only = [f for f in a.flags if f.code == "IPPF_VERTICAL_ONLY"]
    expected_info = sum(1 for m, r in zip(submission.measures, a.measures, strict=True)
                        if not r.aligned and resolved_driver(m) is not None
                        and resolved_driver(m) not in measurable)
    assert sum(1 for f in vertical_only if f.severity == "info") == expected_info


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(submissions())
def test_with_the_shipped_catalogue_courts_never_get_measure_alignment(
    submission: Submission,
) -> None:
    a = assess(submission.model_copy(update={"indicators": []}))
    cs = a.driver(Driver.CS)
    assert cs.measure_alignment.value is None
    assert cs.ni_measurable is False
    assert Driver.CS not in a.ni_measurable
    # ... and a CS measure never counts in A3.
    assert all(not m.counts_for_alignment for m in a.measures if m.driver is Driver.CS)


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(submissions(), st.sampled_from(ALL_NIS), st.sampled_from(list(Polarity)),
       st.lists(drivers, max_size=2, unique=True))
def test_a_catalogue_row_giving_an_ni_the_courts_driver_makes_courts_ni_measurable(
    submission: Submission, ni: str, polarity: Polarity, others: list[Driver],
) -> None:
    override = IndicatorOverride(ni=ni, polarity=polarity, drivers=[Driver.CS, *others])
    a = assess(submission.model_copy(update={"indicators": [override]}))
    cs = a.driver(Driver.CS)
    assert Driver.CS in a.ni_measurable
    assert cs.ni_measurable is True
    has_cs_measures = any(resolved_driver(m) is Driver.CS for m in submission.measures)
    assert (cs.measure_alignment.value is not None) == has_cs_measures
    assert all(m.counts_for_alignment for m in a.measures if m.driver is Driver.CS)


@st.composite
def green_measures(draw: st.DrawFn) -> IppfMeasure:
    """A measure whose Actual meets its Target (d <= 0, SPEC §4.2b), polarity always known."""
    polarity = draw(st.sampled_from(list(Polarity)))
    target = draw(st.integers(-50, 500).map(float) | values)
    margin = draw(st.floats(0, 1e3, allow_nan=False))
    actual = target + margin if polarity is Polarity.HIGHER else target - margin
    return IppfMeasure(
        code=draw(st.sampled_from(MEASURE_CODES)), driver=draw(st.none() | drivers),
        polarity=polarity, target=target, actual=actual, linked_ni=draw(ni_lists),
    )


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(submissions(), green_measures(), st.data())
def test_adding_a_green_measure_never_lowers_performance(
    submission: Submission, measure: IppfMeasure, data: st.DataObject,
) -> None:
    assert measure_status(measure.target, measure.actual, measure.polarity,
                          submission.settings.tolerance).status is TargetStatus.GREEN
    position = data.draw(st.integers(0, len(submission.measures)))
    rows = list(submission.measures)
    rows.insert(position, measure)
    before = assess(submission)
    after = assess(submission.model_copy(update={"measures": rows}))
    for old, new in ((before.performance, after.performance),
                     (before.performance_measures, after.performance_measures)):
        assert new.value is not None  # it has data now
        assert old.value is None or new.value >= old.value
    # The horizontal axis does not see measures at all.
    assert after.performance_targets.value == before.performance_targets.value
    # Nor does the driver's P_D get lower.
    driver = resolved_driver(measure)
    if driver is not None:
        old, new = before.driver(driver).performance, after.driver(driver).performance
        assert new.value is not None
        assert old.value is None or new.value >= old.value


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(submissions())
def test_score_in_range_and_the_two_axes_pool_into_performance(submission: Submission) -> None:
    a = assess(submission)
    assert 0 <= a.score <= 100
    p, h, v = a.performance, a.performance_targets, a.performance_measures
    assert (p.value is None) == (h.value is None and v.value is None)
    if p.value is not None:
        assert p.numerator == (h.numerator or 0) + (v.numerator or 0)
        assert p.denominator == (h.denominator or 0) + (v.denominator or 0)
        assert p.value == p.numerator / p.denominator
    # The axes count what SPEC §4.3 says: relevant targets, and every measure, with data.
    relevant = [t for t in a.targets if t.relevant]
    with_data = [t for t in relevant if t.status is not TargetStatus.NO_DATA]
    assert (h.denominator or 0) == len(with_data)
    assert (v.denominator or 0) == sum(1 for m in a.measures
                                       if m.status is not TargetStatus.NO_DATA)
    green = sum(1 for t in with_data if t.status is TargetStatus.GREEN)
    amber = sum(1 for t in with_data if t.status is TargetStatus.AMBER)
    assert (h.numerator or 0) == green + 0.5 * amber
