"""Seeded, realistic sample submissions, built as raw table rows.

The same rows feed the sample workbooks (written by the workbook writer) and the in-code
submissions the tests compare them with, so a sample workbook's score can be checked against the
engine's score on the data it was made from.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from xl_localism import schema
from xl_localism.catalogue import default_catalogue
from xl_localism.models import LAA_ROUND_END, LAA_ROUND_START
from xl_localism.status import progress_through_period
from xl_localism.tables import RawTable

# The 42 probation areas of England and Wales in 2010: (nation, region, LAAs each spans).
AREAS: dict[str, tuple[str, str, list[str]]] = {
    "Avon and Somerset": ("England", "South West", ["Bristol", "Bath and North East Somerset",
                                                    "North Somerset", "South Gloucestershire",
                                                    "Somerset"]),
    "Bedfordshire": ("England", "East of England", ["Bedford", "Central Bedfordshire", "Luton"]),
    "Cambridgeshire and Peterborough": ("England", "East of England", ["Cambridgeshire",
                                                                       "Peterborough"]),
    "Cheshire": ("England", "North West", ["Cheshire East", "Cheshire West and Chester",
                                           "Halton", "Warrington"]),
    "Cumbria": ("England", "North West", ["Cumbria"]),
    "Derbyshire": ("England", "East Midlands", ["Derbyshire", "Derby"]),
    "Devon and Cornwall": ("England", "South West", ["Devon", "Cornwall", "Plymouth", "Torbay"]),
    "Dorset": ("England", "South West", ["Dorset", "Bournemouth", "Poole"]),
    "Durham": ("England", "North East", ["Durham", "Darlington"]),
    "Essex": ("England", "East of England", ["Essex", "Southend-on-Sea", "Thurrock"]),
    "Gloucestershire": ("England", "South West", ["Gloucestershire"]),
    "Greater Manchester": ("England", "North West", ["Manchester", "Salford", "Bolton", "Bury",
                                                     "Oldham", "Rochdale", "Stockport",
                                                     "Tameside", "Trafford", "Wigan"]),
    "Hampshire": ("England", "South East", ["Hampshire", "Portsmouth", "Southampton",
                                            "Isle of Wight"]),
    "Hertfordshire": ("England", "East of England", ["Hertfordshire"]),
    "Humberside": ("England", "Yorkshire and the Humber", ["Kingston upon Hull", "East Riding "
                                                           "of Yorkshire", "North Lincolnshire",
                                                           "North East Lincolnshire"]),
    "Kent": ("England", "South East", ["Kent", "Medway"]),
    "Lancashire": ("England", "North West", ["Lancashire", "Blackburn with Darwen",
                                             "Blackpool"]),
    "Leicestershire and Rutland": ("England", "East Midlands", ["Leicestershire", "Leicester",
                                                                "Rutland"]),
    "Lincolnshire": ("England", "East Midlands", ["Lincolnshire"]),
    "London": ("England", "London", ["Camden", "Hackney", "Lambeth", "Southwark", "Newham",
                                     "Tower Hamlets", "Croydon", "Barnet"]),
    "Merseyside": ("England", "North West", ["Liverpool", "Knowsley", "Sefton", "St Helens",
                                             "Wirral"]),
    "Norfolk": ("England", "East of England", ["Norfolk"]),
    "Northamptonshire": ("England", "East Midlands", ["Northamptonshire"]),
    "Northumbria": ("England", "North East", ["Newcastle upon Tyne", "Gateshead",
                                              "North Tyneside", "South Tyneside", "Sunderland",
                                              "Northumberland"]),
    "North Yorkshire": ("England", "Yorkshire and the Humber", ["North Yorkshire", "York"]),
    "Nottinghamshire": ("England", "East Midlands", ["Nottinghamshire", "Nottingham"]),
    "South Yorkshire": ("England", "Yorkshire and the Humber", ["Sheffield", "Rotherham",
                                                                "Doncaster", "Barnsley"]),
    "Staffordshire": ("England", "West Midlands", ["Staffordshire", "Stoke-on-Trent"]),
    "Suffolk": ("England", "East of England", ["Suffolk"]),
    "Surrey": ("England", "South East", ["Surrey"]),
    "Sussex": ("England", "South East", ["East Sussex", "West Sussex", "Brighton and Hove"]),
    "Thames Valley": ("England", "South East", ["Oxfordshire", "Buckinghamshire",
                                                "Milton Keynes", "Reading", "Slough"]),
    "Warwickshire": ("England", "West Midlands", ["Warwickshire"]),
    "West Mercia": ("England", "West Midlands", ["Worcestershire", "Herefordshire",
                                                 "Shropshire", "Telford and Wrekin"]),
    "West Midlands": ("England", "West Midlands", ["Birmingham", "Coventry", "Dudley",
                                                   "Sandwell", "Solihull", "Walsall",
                                                   "Wolverhampton"]),
    "West Yorkshire": ("England", "Yorkshire and the Humber", ["Leeds", "Bradford", "Calderdale",
                                                               "Kirklees", "Wakefield"]),
    "Wiltshire": ("England", "South West", ["Wiltshire", "Swindon"]),
    "Dyfed-Powys": ("Wales", "Wales", ["Carmarthenshire", "Ceredigion", "Pembrokeshire",
                                       "Powys"]),
    "Gwent": ("Wales", "Wales", ["Newport", "Caerphilly", "Blaenau Gwent", "Torfaen",
                                 "Monmouthshire"]),
    "North Wales": ("Wales", "Wales", ["Gwynedd", "Conwy", "Denbighshire", "Flintshire",
                                       "Wrexham", "Isle of Anglesey"]),
    "South Wales": ("Wales", "Wales", ["Cardiff", "Swansea", "Bridgend", "Vale of Glamorgan",
                                       "Rhondda Cynon Taf", "Merthyr Tydfil",
                                       "Neath Port Talbot"]),
    "Teesside": ("England", "North East", ["Middlesbrough", "Hartlepool", "Stockton-on-Tees",
                                           "Redcar and Cleveland"]),
}

# Typical IPPF levels (target range) so that sickness days and percentages look like themselves.
MEASURE_LEVELS = {"SICK": (8.0, 11.0)}
NI_CHOICES = ["NI 15", "NI 16", "NI 17", "NI 18", "NI 19", "NI 20", "NI 21", "NI 26", "NI 28",
              "NI 30", "NI 32", "NI 38", "NI 40", "NI 143", "NI 144", "NI 14"]
OBJECTIVES = [
    ("RR", "Reduce reoffending through integrated offender management"),
    ("PP", "Manage high risk of harm offenders with partners through MAPPA"),
    ("VS", "Improve victim contact and domestic abuse services"),
    ("VM", "Deliver efficiency savings through shared partnership services"),
    ("CS", "Deliver timely, high quality reports and services to courts"),
]


@dataclass
class SampleTrust:
    """One sample submission as raw rows, keyed like :data:`schema.TABLES_BY_KEY`."""

    name: str
    tables: dict[str, RawTable]
    slug: str


def _raw(spec: schema.TableSpec, rows: list[list[Any]]) -> RawTable:
    return RawTable(sheet=spec.sheet, headers=spec.headers, rows=rows)


def make_trust(name: str, quality: float, seed: int, as_at: date = date(2010, 9, 30),
               problems: bool = False) -> SampleTrust:
    """A trust whose readiness rises with ``quality`` (0-1); ``problems`` plants bad cells."""
    rng = random.Random(seed)
    nation, region, laas = AREAS.get(name, ("England", "South East", ["Anytown"]))
    catalogue = default_catalogue()
    wales = nation == "Wales"

    checklist = []
    for i, default in enumerate(catalogue.checklist):
        roll = rng.random()
        status = ("Complete" if roll < quality else
                  "In progress" if roll < quality + (1 - quality) / 2 else "Not started")
        if default.id == "W1" and not wales:
            status = "Not applicable"
        evidence = f"Board minutes {rng.randint(1, 12)}/2010" if status == "Complete" and (
            rng.random() < 0.85 + quality / 10) else None
        due = as_at + timedelta(days=rng.randint(-120, 180)) if status != "Complete" else None
        owner = rng.choice(["Chief Officer", "Director of Interventions", "Head of Performance",
                            "Partnerships Manager", "Board Secretary"])
        checklist.append([default.id, default.domain, default.item, default.weight, status,
                          evidence, owner, due if i % 3 else None])

    objectives = []
    covered = [d for d, _ in OBJECTIVES if rng.random() < 0.45 + quality / 2]
    for n, (driver, text) in enumerate(OBJECTIVES, start=1):
        if driver in covered or driver == "RR":
            objectives.append([f"BP{n}", text, driver, None])

    # Returns are mid-period: a trust on course has made this share of each target's change.
    elapsed = progress_through_period(as_at, LAA_ROUND_START, LAA_ROUND_END, None).fraction
    targets = []
    for laa in laas[: max(1, min(len(laas), 2 + int(quality * 3)))]:
        for ni in rng.sample(NI_CHOICES, k=rng.randint(3, 6)):
            indicator = catalogue.indicators[ni]
            baseline = round(rng.uniform(20, 80), 1)
            change = baseline * rng.uniform(0.05, 0.2)
            better = -change if indicator.polarity == "lower" else change
            target = round(baseline + better, 1)
            progress = rng.uniform(0.5 + quality * 0.45, 0.75 + quality * 0.45) * elapsed
            latest = round(baseline + better * progress, 1)
            role = rng.choices(["Lead", "Contributor", "None"], weights=[3, 5, 1])[0]
            refs = [o[0] for o in objectives if indicator.drivers and o[2] == indicator.drivers[0]]
            plan_ref = refs[0] if refs and rng.random() < 0.3 + quality * 0.7 else None
            if rng.random() < 0.08:
                latest = None
            targets.append([laa, ni, indicator.title, baseline, target, latest, role, plan_ref])

    measures = []
    for code, default in catalogue.measures.items():
        # Courts (CS) and value-for-money (VM) measures are always returned: no NI shows them.
        if default.driver in ("CS", "VM") or rng.random() < 0.5 + quality / 2:
            low, high = MEASURE_LEVELS.get(code, (60.0, 95.0))
            target_value = round(rng.uniform(low, high), 1)
            ratio = rng.uniform(0.75 + quality / 5, 0.95 + quality / 5)
            if default.polarity == "lower":
                ratio = 2 - ratio
            actual = round(target_value * ratio, 1)
            if code not in MEASURE_LEVELS:
                actual = min(actual, 100.0)  # a percentage: 100 at most
            measures.append([code, default.measure, None, None, target_value, actual, None])

    about = [["Trust", name], ["Nation", nation], ["As at", as_at],
             ["Prepared by", "Head of Performance"], ["Region", region]]
    settings: list[list[Any]] = []

    if problems:
        checklist[3][4] = "Done-ish"  # B1 status not in the vocabulary
        targets[0][1] = "NI 999"
        targets[1][3] = "n/a"
        targets.append(list(targets[2]))  # the same NI twice on one LAA
        measures.append(["ACC", "Accommodation (local version)", "RR", "lower", 80, 75, "NI 143"])
        settings.append(["tolerance", 1.5])
        about[2][1] = "31/09/2010"  # no such date

    tables = {
        "about": _raw(schema.ABOUT, about),
        "checklist": _raw(schema.CHECKLIST, checklist),
        "targets": _raw(schema.TARGETS, targets),
        "measures": _raw(schema.MEASURES, measures),
        "objectives": _raw(schema.OBJECTIVES, objectives),
    }
    if settings:
        tables["settings"] = _raw(schema.SETTINGS, settings)
    slug = name.lower().replace(" ", "-")
    return SampleTrust(name=name, tables=tables, slug=slug)


def sample_trusts() -> list[SampleTrust]:
    """The four committed samples: near Green, near Red, Welsh, and one with data problems."""
    return [
        make_trust("Thames Valley", quality=0.92, seed=11),
        make_trust("Humberside", quality=0.15, seed=12),
        make_trust("South Wales", quality=0.7, seed=13),
        make_trust("Lancashire", quality=0.55, seed=14, problems=True),
    ]
