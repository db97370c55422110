"""A first draft of a trust's Position Statement / Statement of Intent (SPEC §1, Recommendation 2).

Built only from what the workbook says and what the engine concluded: who it is addressed to (by
LAA), the trust's duties as a Responsible Authority, its readiness, its strategic approach under
each of the five outcome drivers (its score there, the LAA targets it leads or contributes to and
where they stand against their trajectory, its IPPF measures against their annual targets),
scrutiny readiness, and the commitments that close its gaps. It is a draft for the Board to edit,
never a finished document, and says so.

Pure: :func:`build_statement` makes a small model of the document (:class:`Statement`: a title
block, addressees by LAA, sections of paragraphs, bullets and tables) that several renderers
draw: the worksheet draft of the ribbon (:func:`statement_layout`, one paragraph per row) and the
Word document (:mod:`xl_localism.render.docx`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from xl_localism.catalogue import default_catalogue
from xl_localism.layout import NOTE, SECTION, TITLE, Block, SheetLayout, Style
from xl_localism.models import (
    Assessment,
    ChecklistItem,
    DriverResult,
    Flag,
    MeasureResult,
    Submission,
    TargetResult,
)
from xl_localism.status import number_text
from xl_localism.vocab import DRIVER_NAMES, Nation, Role, Severity, Status

STATEMENT_SHEET = "Position statement"
STATEMENT_TITLE = "Position Statement / Statement of Intent"
# Long lists read badly in a letter; the rest is in the Flags sheet.
MAX_LISTED = 8
NAME = "[Name]"
# Heads the letter when the About sheet gives no trust name (the engine then uses the file's).
TRUST = "[Trust name]"
OWNER = "[Owner]"
DUE = "[Date]"
DISTRIBUTION = "Distribution"
# The driver tables' columns in cm (LAA, target, role, status, latest against expected).
DRIVER_TABLE_WIDTHS = (4.0, 4.4, 2.4, 1.7, 3.5)

Kind = Literal["title", "note", "heading", "subheading", "text", "bullet"]


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the flat draft: what a one-column worksheet shows."""

    kind: Kind
    text: str


# ---------------------------------------------------------------------------------------------
# The model of the document


@dataclass(frozen=True)
class Addressee:
    """One person the statement goes to; ``name`` None is a placeholder for the Board to fill."""

    role: str
    body: str
    name: str | None = None

    @property
    def text(self) -> str:
        return f"{self.name or NAME}, {self.role}, {self.body}"


@dataclass(frozen=True)
class AddresseeGroup:
    """The addressees of one LAA (or of the whole area: police, fire and rescue)."""

    label: str
    addressees: tuple[Addressee, ...]


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    # Column widths in centimetres for an A4 page's 16 cm of text, for renderers that lay out a
    # page (they scale them to the page they have). Wide enough for the longest single word a
    # column holds (an LAA name such as "Buckinghamshire" or "Northamptonshire") not to break.
    widths: tuple[float, ...] = ()
    # The first column names the row (an LAA): renderers may emphasise it.
    row_labels: bool = True


Content = Text | Bullets | Table


@dataclass(frozen=True)
class Section:
    heading: str
    content: tuple[Content, ...]
    level: int = 1  # 1: a main section; 2: a part of the one before (each outcome driver)


@dataclass(frozen=True)
class Statement:
    trust: str
    wales: bool
    title: str  # "Position Statement / Statement of Intent"
    as_at: str  # "30 September 2010"
    note: str  # the "Draft for the Board to edit" note
    to: str  # whom it is addressed to, in a sentence; the full list is ``addressees``
    addressees: tuple[AddresseeGroup, ...]
    sections: tuple[Section, ...] = field(default_factory=tuple)
    closing: tuple[str, ...] = ()  # the sign-off, a line each
    prepared_by: str | None = None


# ---------------------------------------------------------------------------------------------
# Wording helpers


def _day(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else "a date to be agreed"


def _listed(items: list[str], limit: int | None = MAX_LISTED) -> str:
    """ "A, B and C", or "A, B, ... and 4 more" when the list is longer than ``limit``."""
    if limit is not None and len(items) > limit:
        return f"{', '.join(items[:MAX_LISTED])} and {len(items) - MAX_LISTED} more"
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _states(*states: str) -> str:
    text = "; ".join(states)
    return text[:1].upper() + text[1:] + "."


def _number(value: float | None) -> str:
    return "—" if value is None else number_text(value)


def _percent(value: float | None) -> str:
    return "not assessed" if value is None else f"{round(100 * value):d}%"


def _role(role: Role) -> str:
    return {Role.LEAD: "Lead", Role.CONTRIBUTOR: "Contributor"}.get(role, "None")


def _item_state(item: ChecklistItem | None, what: str) -> str:
    if item is None:
        return f"{what}: not yet on our checklist"
    if item.status is Status.COMPLETE:
        return f"{what}: done"
    if item.status is Status.NOT_APPLICABLE:
        return f"{what}: not applicable"
    due = f", due {_day(item.due)}" if item.due else ""
    return f"{what}: {item.status.value.lower()}{due}"


def trust_title(trust: str) -> str:
    """ "Thames Valley" -> "Thames Valley Probation Trust"; a name that says it already, or the
    [Trust name] placeholder, is kept."""
    if trust == TRUST or "probation" in trust.casefold():
        return trust
    return f"{trust} Probation Trust"


def _we_will(action: str) -> str:
    """A flag's suggested action ("Agree a recovery plan ...") as a commitment."""
    action = action.strip()
    return f"We will {action[:1].lower()}{action[1:]}" if action else ""


def _trajectory(t: TargetResult) -> str:
    """Where a target stands against its trajectory at the As at date, in a few words (the
    engine's explanation says how it was judged in full)."""
    if t.status is None:
        return "not judged: the NI is not in the probation catalogue"
    if t.expected is not None and t.latest is not None:
        return (f"{_number(t.latest)} against {_number(t.expected)} "
                f"(target {_number(t.target)})")
    missing = [name for name, value in (("baseline", t.baseline), ("target", t.target),
                                        ("latest figure", t.latest)) if value is None]
    return f"no {' or '.join(missing)} yet" if missing else t.explanation or "no figures yet"


def _measure_line(m: MeasureResult) -> str:
    name = f" {m.measure}" if m.measure else ""
    if m.actual is not None and m.target is not None:
        figures = f" ({_number(m.actual)} against an annual target of {_number(m.target)})"
    else:
        figures = " (no figures yet)"
    return f"{m.code}{name}: {m.status.value}{figures}"


# ---------------------------------------------------------------------------------------------
# Building the statement


@dataclass(frozen=True)
class _Context:
    assessment: Assessment
    submission: Submission
    wales: bool
    partnership: str  # "Crime and Disorder Reduction Partnership" or "Community Safety ..."
    short: str  # "CDRP" or "CSP"
    area: str  # "LAA" or "local authority": what the Targets sheet's LAA column names
    trust: str  # the trust's name, or the [Trust name] placeholder when the workbook gives none
    laas: list[str]
    relevant: list[TargetResult]
    checklist: dict[str, ChecklistItem]


def build_statement(assessment: Assessment, submission: Submission) -> Statement:
    """The whole statement as a model, built once for every renderer. Pure."""
    named = assessment.trust_named  # else the file's name stands in for it
    trust = assessment.trust if named else TRUST
    wales = assessment.nation is Nation.WALES
    ctx = _Context(
        assessment=assessment,
        submission=submission,
        wales=wales,
        partnership="Community Safety Partnership" if wales
        else "Crime and Disorder Reduction Partnership",
        short="CSP" if wales else "CDRP",
        area="local authority" if wales else "LAA",
        trust=trust,
        laas=list(dict.fromkeys(t.laa for t in assessment.targets)),
        relevant=[t for t in assessment.targets if t.relevant],
        # The first row of a repeated ID is the one scored.
        checklist={i.id.upper(): i for i in reversed(submission.checklist)},
    )
    prepared = submission.about.prepared_by
    note = (f"Draft for the Board to edit{f', prepared by {prepared}' if prepared else ''}, "
            f"from the localism workbook as at {_day(assessment.as_at)}. Generated by "
            "xl-localism: check every sentence and complete the [bracketed] placeholders "
            "before it is sent.")
    if not named:
        note += (f" The workbook gives no trust name (the About sheet's Trust is blank), so the "
                 f"letter says {TRUST}: fill it in here, or in the workbook and draft it again.")
    return Statement(
        trust=trust,
        wales=wales,
        title=STATEMENT_TITLE,
        as_at=_day(assessment.as_at),
        note=note,
        to=_to(ctx),
        addressees=_addressees(ctx),
        sections=(
            _responsibilities(ctx),
            _readiness(ctx),
            _drivers_intro(ctx),
            *_driver_sections(ctx),
            _scrutiny(ctx),
            _commitments(ctx),
            _gaps(ctx),
        ),
        closing=("We will report our progress against these commitments to the Board each "
                 f"quarter and share it with our partners in each {ctx.short}.",
                 "Yours sincerely,", NAME, f"Chief Officer, on behalf of the Board of "
                 f"{trust_title(trust)}"),
        prepared_by=prepared,
    )


def _to(ctx: _Context) -> str:
    authorities = (f"the local authorities of {_listed(ctx.laas)}" if ctx.laas
                   else "the local authorities in our area")
    health = "local health boards" if ctx.wales else "primary care trusts"
    return (f"To the chief executives of {authorities}; the other Responsible Authorities in "
            f"our area (police, fire and rescue, and the {health}); and the chairs of the Local "
            f"Strategic Partnerships and of the {ctx.partnership}s. The distribution list, "
            f"by {ctx.area}, is at the end.")


def _addressees(ctx: _Context) -> tuple[AddresseeGroup, ...]:
    health = "[Local Health Board]" if ctx.wales else "[Primary Care Trust]"
    groups = [
        AddresseeGroup(laa, (
            Addressee("Chief Executive", laa),
            Addressee("Chair", f"{laa} Local Strategic Partnership"),
            Addressee("Chair", f"{laa} {ctx.partnership}"),
            Addressee("Chief Executive", f"{health}, {laa}"),
        ))
        for laa in ctx.laas or ["[Local authority]"]
    ]
    groups.append(AddresseeGroup("Across the area", (
        Addressee("Chief Constable", "[Police force]"),
        Addressee("Chief Fire Officer", "[Fire and Rescue Service]"),
    )))
    return tuple(groups)


def _responsibilities(ctx: _Context) -> Section:
    trust = ctx.trust
    health = "local health board" if ctx.wales else "primary care trust"
    duty = Text(f"From 1 April 2010 {trust_title(trust)} is a Responsible Authority under the "
                "Crime and Disorder Act 1998 (as amended), alongside the police, the fire and "
                f"rescue authority, the {health} and the local authority, in each "
                f"{ctx.partnership} ({ctx.short}) in its area. We will take our full part in "
                f"each {ctx.short}'s strategic assessment, plan and decisions.")
    if ctx.wales:
        made_in_wales = [duty, Text(
            "Made in Wales: the National Indicators and Local Area Agreements do not apply in "
            "Wales, so we are not held to account through National Indicators. We align our "
            "work with the Welsh Assembly Government's local partnership frameworks in "
            + (_listed(ctx.laas) if ctx.laas else "each local authority in our area")
            + " and with the Community Safety Partnerships, and account for our performance "
            "through those frameworks and the Integrated Probation Performance Framework "
            "(IPPF).")]
        codes = list(dict.fromkeys(t.ni for t in ctx.relevant))
        if codes:
            # Said once, before the driver tables list them.
            examples = _listed(codes[:3], limit=None)
            made_in_wales.append(Text(
                "With our Community Safety Partnerships we do still track some outcomes through "
                "measures that carry a National Indicator code"
                f" ({'such as ' if len(codes) > 3 else ''}{examples}), as local partnership "
                "targets agreed with each partnership. We list them below as local partnership "
                "targets (NI-coded): they show our part in each partnership's plan, not a line "
                "of accountability through National Indicators."))
        return Section("Our responsibilities", tuple(made_in_wales))
    areas = f" of {_listed(ctx.laas)}" if ctx.laas else ""
    return Section("Our responsibilities", (duty, Text(
        f"As a statutory partner in the Local Area Agreements (LAAs){areas}, we have a duty "
        "to have regard to the LAA improvement targets that are relevant to us. From April "
        "2011 our performance will be measured against the outcome National Indicators in "
        "those agreements as well as against the Integrated Probation Performance Framework "
        "(IPPF).")))


def _readiness(ctx: _Context) -> Section:
    a = ctx.assessment
    targets = "our local partnership targets" if ctx.wales else "the LAA targets"
    text = [Text(
        f"Our readiness for the local performance framework scores {a.score:.1f} out of 100, "
        f"which is {a.rag.value}, as defined in the xl-localism method. It combines our "
        f"self-assessment against the readiness checklist ({_percent(a.self_assessment.value)}),"
        f" how well our business plan and IPPF measures line up with {targets} "
        f"({_percent(a.alignment.value)}) and how our targets are performing against their "
        "trajectories and our IPPF measures against their annual targets "
        f"({_percent(a.performance.value)}).")]
    if a.capped_by:
        gaps = _listed([_CRITICAL.get(code, code) for code in a.capped_by])
        if a.rag is not a.rag_before_cap:
            text.append(Text(f"The score alone would be {a.rag_before_cap.value}, but critical "
                             f"gaps hold the rating at {a.rag.value} until they are closed: "
                             f"{gaps}. They head the commitments below."))
        else:
            text.append(Text(f"Critical gaps must be closed first: {gaps}. They head the "
                             "commitments below."))
    return Section("Our readiness", tuple(text))


# The critical flags in words for a letter (the commitments table quotes each in full).
_CRITICAL = {
    "POSITION_STATEMENT_MISSING": "this Position Statement is not yet complete",
    "RA_DUTY_UNMET": "our strategic representation on every partnership is not yet in place",
}


def _drivers_intro(ctx: _Context) -> Section:
    names = _listed(list(DRIVER_NAMES.values()))
    if ctx.wales:
        what = ("the local partnership targets (NI-coded) we lead or contribute to, by local "
                "authority, and where each stands against its trajectory")
    else:
        what = ("the LAA targets we lead or contribute to, by LAA, and where each stands "
                "against its trajectory")
    return Section("Our strategic approach under the five outcome drivers", (Text(
        f"The IPPF sets five outcome drivers: {names}. Under each we set out our business "
        f"plan objectives, {what} at {_day(ctx.assessment.as_at)} (the latest figure against "
        "the figure expected by then), and our IPPF measures against their annual targets."),))


def _count_measures(assessment: Assessment) -> dict[str, str]:
    """Measure code -> the NI on the Targets sheet that measures the same outcome: the engine's
    COUNT_DUPLICATE flags say which, the catalogue which NI."""
    catalogue = default_catalogue()
    rows = {(f.sheet, f.row) for f in assessment.flags if f.code == "COUNT_DUPLICATE"}
    shared: dict[str, str] = {}
    for m in assessment.measures:
        default = catalogue.measure(m.code)
        if (m.sheet, m.row) in rows and default and default.same_outcome_as:
            shared[m.code] = default.same_outcome_as
    return shared


def _driver_standing(d: DriverResult, wales: bool) -> str:
    """The driver's score and RAG as the engine has them, and, separately, whether a relevant
    target or an objective carries it (A2's "covered"): a driver may be scored on its IPPF
    measures alone and still be uncovered."""
    target = "local partnership target" if wales else "LAA target"
    if d.score is None:
        standing = "Our score under this driver: none yet, as there is nothing to score it on"
    else:
        rag = f" ({d.rag.value})" if d.rag else ""
        standing = f"Our score under this driver: {d.score:.1f}{rag}"
    standing += ", as defined in the xl-localism method"
    if d.covered:
        return standing + "."
    if d.score is not None:
        standing += ", from our IPPF measures alone"
    return (f"{standing}. No relevant {target} or business plan objective carries it yet: we "
            "commit below to add one.")


def _driver_sections(ctx: _Context) -> list[Section]:
    a, wales = ctx.assessment, ctx.wales
    shared = _count_measures(a)
    sections = []
    for d in a.drivers:
        content: list[Content] = []
        objectives = [o for o in ctx.submission.objectives if d.driver in o.drivers]
        content.append(Text(_driver_standing(d, wales)))
        if objectives:
            content.append(Text("Business plan: " + "; ".join(
                f"{o.ref}{f' {o.objective}' if o.objective else ''}" for o in objectives) + "."))
        targets = [t for t in ctx.relevant if d.driver in t.drivers]
        if targets:
            by_laa = sorted(targets, key=lambda t: ctx.laas.index(t.laa))
            content.append(Table(
                ("Local authority" if wales else "LAA",
                 "Partnership target" if wales else "Target", "Our role", "Status",
                 "Latest against expected"),
                tuple((t.laa, f"{t.ni}{f' {t.title}' if t.title else ''}", _role(t.role),
                       t.status.value if t.status else "Not judged",
                       _trajectory(t)) for t in by_laa),
                widths=DRIVER_TABLE_WIDTHS))
        elif d.ni_measurable and d.covered:
            kind = "local partnership" if wales else "LAA"
            content.append(Text(f"We lead or contribute to no {kind} target under this driver "
                                "yet."))
        measures = [m for m in a.measures if m.driver is d.driver]
        if not d.ni_measurable:
            what = "local partnership target" if wales else "National Indicator"
            content.append(Text(f"No {what} measures {d.name}, so we account for it through our "
                                "IPPF measures" + (":" if measures else ", and record none yet.")))
            if measures:
                content.append(Bullets(tuple(_measure_line(m) for m in measures)))
        elif measures:
            content.append(Text("Our IPPF measures:"))
            content.append(Bullets(tuple(_measure_line(m) for m in measures)))
        for m in measures:
            if m.code in shared:
                where = "our partnership targets" if wales else "our LAA targets"
                content.append(Text(
                    f"Collect once, use numerous times: {m.code}"
                    f"{f' ({m.measure})' if m.measure else ''} measures the same outcome as "
                    f"{shared[m.code]} on {where}, so we will report both from the same data."))
        sections.append(Section(d.name, tuple(content), level=2))
    return sections


def _scrutiny(ctx: _Context) -> Section:
    defaults = {c.id: c.item for c in default_catalogue().checklist}
    lines = []
    for item_id in ("E1", "E2"):
        item = ctx.checklist.get(item_id)
        what = (item.item if item and item.item else defaults.get(item_id)) or item_id
        if ctx.wales:
            what = what.replace("CDRP", "CSP")
        state = _item_state(item, f"{what} ({item_id})")
        owner = f" (owner: {item.owner})" if item and item.owner and \
            item.status is not Status.COMPLETE else ""
        lines.append(state + owner)
    return Section("Scrutiny and accountability", (
        Text(f"The work of each {ctx.short}, and our part in it, is open to scrutiny by the "
             "local authority's overview and scrutiny committee. Where we stand:"),
        Bullets(tuple(lines)),
    ))


def _commitments(ctx: _Context) -> Section:
    relevant, checklist = ctx.relevant, ctx.checklist
    bullets = [
        "Recommendation 1 — raise awareness of our new legal responsibilities among Board "
        "members and staff. " + _states(*(_item_state(checklist.get(i), what) for i, what in (
            ("A1", "Board briefing"), ("A2", "staff awareness programme"),
            ("G1", "Board localism training")))),
        "Recommendation 2 — publish this Position Statement to local authority chief "
        "executives, the Responsible Authorities and the chairs of the LSPs and "
        + ("CSPs" if ctx.wales else "CDRPs") + ". " + _states(*(
            _item_state(checklist.get(i), what) for i, what in (
                ("B1", "statement produced"), ("B2", "statement sent")))),
    ]
    if ctx.wales:
        bullets.append("Alignment with the Welsh Assembly Government frameworks — "
                       + _item_state(checklist.get("W1"), "agreement") + ".")
    else:
        bullets.append(_recommendation_3(relevant, checklist.get("C1")))
    bullets.append("Partnership — " + _item_state(
        checklist.get("D1"), f"strategic representation on every {ctx.short}") + ".")
    return Section("Our commitments", (Bullets(tuple(bullets)),))


def _recommendation_3(relevant: list[TargetResult], c1: ChecklistItem | None) -> str:
    """Linkage as it is: when checklist C1 says Complete but targets are unlinked, both."""
    unlinked = [f"{t.ni} ({t.laa})" for t in relevant if not t.linked]
    linked = len(relevant) - len(unlinked)
    text = ("Recommendation 3 — link every relevant LAA improvement target to our 2010/11 "
            f"business plan and performance management: {linked} of {len(relevant)} linked "
            "today")
    which = f"{len(unlinked)} target{'s are' if len(unlinked) != 1 else ' is'} not yet in the " \
        f"business plan: {_listed(unlinked)}"
    if unlinked and c1 is not None and c1.status is Status.COMPLETE:
        return f"{text} (checklist {c1.id} is marked Complete, but {which})."
    if unlinked:
        return f"{text} ({which}); " + _item_state(c1, "business plan linkage") + "."
    return f"{text}; " + _item_state(c1, "business plan linkage") + "."


# Flags that are about the workbook itself, not commitments to partners.
_NOT_COMMITMENTS = frozenset({"COLUMN_IGNORED", "DUPLICATE_ROW"})


def _gaps(ctx: _Context) -> Section:
    rows = list(_commitment_rows(ctx))
    if not rows:
        return Section("Gaps we will close", (Text("The workbook shows no gaps to close."),))
    return Section("Gaps we will close", (
        Text("Each gap the workbook shows, as a commitment. Owners and dates come from our "
             f"checklist where it names them; the Board completes the {OWNER} and {DUE} "
             "placeholders."),
        Table(("Commitment", "Owner", "Due"), tuple(rows), widths=(10.0, 3.4, 2.6),
              row_labels=False),
    ))


def _commitment_rows(ctx: _Context) -> Iterable[tuple[str, str, str]]:
    a, wales = ctx.assessment, ctx.wales
    targets = {(t.sheet, t.row): f"{t.ni} ({t.laa})" for t in a.targets if t.row is not None}
    measures = {(m.sheet, m.row): m.code for m in a.measures if m.row is not None}
    items = {(i.source.sheet, i.source.row): i for i in reversed(ctx.submission.checklist)
             if i.source and i.source.row is not None}

    def owner_due(item: ChecklistItem | None, overdue: bool = False) -> tuple[str, str]:
        if item is None:
            return OWNER, DUE
        due = _day(item.due) + (" (overdue)" if overdue else "") \
            if item.due else DUE
        return item.owner or OWNER, due

    flags = [f for f in a.flags if f.severity in (Severity.CRITICAL, Severity.WARNING)
             and f.code not in _NOT_COMMITMENTS]
    grouped: dict[str, list[Flag]] = {}
    for flag in flags:
        grouped.setdefault(flag.code, []).append(flag)

    # Critical first, each on its own row with the checklist row it points at.
    for flag in (f for f in flags if f.severity is Severity.CRITICAL):
        item = items.get((flag.sheet, flag.row))
        yield (f"{flag.message} {_we_will(flag.action)}", *owner_due(item))

    uncovered = [d.name for d in a.drivers if not d.covered]
    if uncovered:
        target = "local partnership target" if wales else "relevant LAA target"
        yield (f"Add a business plan objective or a {target} for {_listed(uncovered)}, which "
               "nothing covers yet.", OWNER, DUE)

    def subjects(code: str, where: dict[tuple[str | None, int | None], str]) -> list[str]:
        return [where.get((f.sheet, f.row), f.message) for f in grouped.get(code, [])]

    phrases = (
        ("TARGET_OFF_TRACK", targets, "Agree a recovery plan with the partnership for each "
         "target behind its trajectory"),
        ("LAA_UNLINKED", targets, "Link each of these LAA targets to a business plan objective "
         "(Recommendation 3)"),
        ("NI_NOT_TRACKED", targets, "Track each of these targets through an IPPF measure or a "
         "business plan objective"),
        ("MEASURE_OFF_TRACK", measures, "Bring these IPPF measures back to their targets and "
         "record how in the business plan"),
        ("IPPF_VERTICAL_ONLY", measures, "Record the "
         + ("partnership target" if wales else "National Indicator") + " each of these IPPF "
         "measures contributes to, or agree that it answers to IPPF only"),
    )
    for code, where, phrase in phrases:
        listed = subjects(code, where)
        if listed:
            # Every one named: a commitment must say what it covers.
            yield f"{phrase}: {_listed(listed, limit=None)}.", OWNER, DUE

    shared = _count_measures(a)
    if shared:
        pairs = [f"{code} with {ni}" for code, ni in shared.items()]
        yield (f"Collect once, use numerous times: report {_listed(pairs)} from the same data.",
               *owner_due(ctx.checklist.get("F1")))

    for flag in grouped.get("CHECKLIST_OVERDUE", []):
        item = items.get((flag.sheet, flag.row))
        what = f"{item.item} ({item.id})" if item and item.item else flag.message
        yield f"Complete: {what}.", *owner_due(item, overdue=True)

    unevidenced = [items.get((f.sheet, f.row)) for f in grouped.get("CHECKLIST_UNEVIDENCED", [])]
    if unevidenced:
        ids = [i.id for i in unevidenced if i is not None]
        owners = list(dict.fromkeys(i.owner for i in unevidenced if i is not None and i.owner))
        yield (f"Record the evidence (document, minute or link) for checklist item(s) "
               f"{_listed(ids)}.", _listed(owners) or OWNER, DUE)

    handled = {"TARGET_OFF_TRACK", "LAA_UNLINKED", "NI_NOT_TRACKED", "MEASURE_OFF_TRACK",
               "IPPF_VERTICAL_ONLY", "CHECKLIST_OVERDUE", "CHECKLIST_UNEVIDENCED",
               "DRIVER_UNCOVERED"}
    for flag in flags:
        if flag.severity is Severity.WARNING and flag.code not in handled:
            item = items.get((flag.sheet, flag.row))
            yield f"{flag.message} {_we_will(flag.action)}", *owner_due(item)


# ---------------------------------------------------------------------------------------------
# The flat draft: one paragraph after another, for the worksheet


def statement_paragraphs(statement: Statement) -> list[Paragraph]:
    """The statement as paragraphs: tables become a bullet per row."""
    out = [
        Paragraph("title", f"{statement.trust}: {statement.title}"),
        Paragraph("note", f"DRAFT — {statement.note}"),
        Paragraph("text", statement.to),
    ]
    for section in statement.sections:
        out.append(Paragraph("heading" if section.level == 1 else "subheading", section.heading))
        for content in section.content:
            if isinstance(content, Text):
                out.append(Paragraph("text", content.text))
            elif isinstance(content, Bullets):
                out.extend(Paragraph("bullet", item) for item in content.items)
            else:
                out.extend(Paragraph("bullet", _row_text(content.headers, row))
                           for row in content.rows)
    out.extend(Paragraph("text", line) for line in statement.closing)
    out.append(Paragraph("heading", DISTRIBUTION))
    out.extend(Paragraph("bullet", f"{g.label}: {'; '.join(a.text for a in g.addressees)}.")
               for g in statement.addressees)
    return out


def _row_text(headers: tuple[str, ...], row: tuple[str, ...]) -> str:
    """ "first cell — Header: value; Header: value"."""
    rest = "; ".join(f"{h}: {v}" for h, v in zip(headers[1:], row[1:], strict=True))
    return f"{row[0]} — {rest}" if rest else row[0]


def draft_statement(assessment: Assessment, submission: Submission) -> list[Paragraph]:
    """The draft, paragraph by paragraph."""
    return statement_paragraphs(build_statement(assessment, submission))


_STYLES: dict[Kind, Style] = {
    "title": TITLE,
    "note": Style(wrap=True).over(NOTE),
    "heading": SECTION,
    "subheading": Style(bold=True, wrap=True),
    "text": Style(wrap=True),
    "bullet": Style(wrap=True),
}


def statement_layout(draft: Statement | list[Paragraph]) -> SheetLayout:
    """One paragraph per row in a wide wrapped column, a blank row before each heading."""
    paragraphs = statement_paragraphs(draft) if isinstance(draft, Statement) else draft
    blocks: list[Block] = []
    row = 1
    for paragraph in paragraphs:
        if paragraph.kind in ("heading", "subheading") and row > 1:
            row += 1
        text = f"• {paragraph.text}" if paragraph.kind == "bullet" else paragraph.text
        # Every paragraph quotes the workbook (trust, LAA and objective names): text, never a
        # formula, whatever it starts with.
        blocks.append(Block(anchor=f"A{row}", values=[[text]], style=_STYLES[paragraph.kind],
                            text_cells={(0, 0)}))
        row += 1
    return SheetLayout(name=STATEMENT_SHEET, blocks=blocks, column_widths={"A": 110},
                       landscape=False).fit_row_heights()
