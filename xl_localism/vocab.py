"""The controlled vocabularies of SPEC §2-3 and the parsers that accept what trusts actually type.

Every parser raises ``ValueError`` whose message says what was expected and what was found, so a
pydantic model (or the workbook reader) can pass it straight to the user.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum


class Driver(StrEnum):
    RR = "RR"
    PP = "PP"
    VS = "VS"
    VM = "VM"
    CS = "CS"

    @property
    def title(self) -> str:  # type: ignore[override]
        return DRIVER_NAMES[self]


DRIVER_NAMES: dict[Driver, str] = {
    Driver.RR: "Reducing Reoffending",
    Driver.PP: "Public Protection",
    Driver.VS: "Victims Services",
    Driver.VM: "Value for Money",
    Driver.CS: "Effective Delivery of Services to Courts",
}


class Status(StrEnum):
    COMPLETE = "Complete"
    IN_PROGRESS = "In progress"
    NOT_STARTED = "Not started"
    NOT_APPLICABLE = "Not applicable"


class Role(StrEnum):
    LEAD = "Lead"
    CONTRIBUTOR = "Contributor"
    NONE = "None"


class Polarity(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


class Nation(StrEnum):
    ENGLAND = "England"
    WALES = "Wales"


class Severity(StrEnum):
    CRITICAL = "critical"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Sort key: most severe first."""
        return list(Severity).index(self)


class TargetStatus(StrEnum):
    GREEN = "Green"
    AMBER = "Amber"
    RED = "Red"
    NO_DATA = "No data"


class Rag(StrEnum):
    GREEN = "Green"
    AMBER = "Amber"
    RED = "Red"


NI_MIN, NI_MAX = 1, 198


_SEPARATORS = re.compile(r"[\s_\-]+")


# Headers, statuses and driver names repeat on every row of every workbook.
@functools.lru_cache(maxsize=4096)
def squash(text: str) -> str:
    """Lower-case and drop spaces, hyphens and underscores: how users' spellings differ."""
    return _SEPARATORS.sub("", text).lower()


_squash = squash  # the name this module's own code uses; other modules import squash


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_NI_PATTERN = re.compile(r"^(?:ni)?0*(\d{1,6})$")


def parse_ni(value: object) -> str:
    """Normalise an NI code: ``NI18``, ``ni-18``, ``18`` and ``NI 018`` all mean ``NI 18``."""
    if isinstance(value, bool) or is_blank(value):
        raise ValueError(f"expected a National Indicator code such as 'NI 18', found {value!r}")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"expected a whole National Indicator number, found {value!r}")
        value = int(value)
    match = _NI_PATTERN.match(_squash(str(value)))
    if not match:
        raise ValueError(f"expected a National Indicator code such as 'NI 18', found {value!r}")
    number = int(match.group(1))
    if not NI_MIN <= number <= NI_MAX:
        raise ValueError(
            f"expected a National Indicator from NI {NI_MIN} to NI {NI_MAX}, found {value!r}"
        )
    return f"NI {number}"


def parse_ni_list(value: object) -> list[str]:
    """Several NI codes in one cell, separated by commas or semicolons. Blank means none."""
    if is_blank(value):
        return []
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [parse_ni(value)]
    parts = value if isinstance(value, list | tuple) else re.split(r"[,;]", str(value))
    codes: list[str] = []
    for part in parts:
        if not is_blank(part):
            code = parse_ni(part)
            if code not in codes:
                codes.append(code)
    return codes


_DRIVER_LOOKUP: dict[str, Driver] = {
    **{_squash(d.value): d for d in Driver},
    **{_squash(name): d for d, name in DRIVER_NAMES.items()},
    # Trusts write the name both ways; the SPEC's own heading uses "Victims Services".
    _squash("Victim Services"): Driver.VS,
    _squash("Services to Courts"): Driver.CS,
}


def parse_driver(value: object) -> Driver:
    if isinstance(value, Driver):
        return value
    key = _squash(str(value)) if not is_blank(value) else ""
    if key in _DRIVER_LOOKUP:
        return _DRIVER_LOOKUP[key]
    expected = ", ".join(f"{d.value} ({d.title})" for d in Driver)
    raise ValueError(f"expected a driver key or name — one of {expected} — found {value!r}")


def parse_driver_list(value: object) -> list[Driver]:
    """A driver cell may carry several drivers, primary first, separated by commas or semicolons."""
    if isinstance(value, list):
        return [parse_driver(v) for v in value]
    if is_blank(value):
        return []
    drivers: list[Driver] = []
    for part in re.split(r"[,;]", str(value)):
        if part.strip():
            driver = parse_driver(part)
            if driver not in drivers:
                drivers.append(driver)
    return drivers


_STATUS_LOOKUP: dict[str, Status] = {
    **{_squash(s.value): s for s in Status},
    "n/a": Status.NOT_APPLICABLE,
    "na": Status.NOT_APPLICABLE,
    "": Status.NOT_STARTED,
}


def parse_status(value: object) -> Status:
    if isinstance(value, Status):
        return value
    key = "" if is_blank(value) else _squash(str(value))
    if key in _STATUS_LOOKUP:
        return _STATUS_LOOKUP[key]
    raise ValueError(
        "expected a status of Complete, In progress, Not started or Not applicable (N/A), "
        f"found {value!r}"
    )


def parse_role(value: object) -> Role:
    if isinstance(value, Role):
        return value
    key = "" if is_blank(value) else _squash(str(value))
    if key in ("", "none"):
        return Role.NONE
    for role in Role:
        if key == _squash(role.value):
            return role
    raise ValueError(f"expected a probation role of Lead, Contributor or None, found {value!r}")


def parse_polarity(value: object) -> Polarity:
    if isinstance(value, Polarity):
        return value
    key = "" if is_blank(value) else _squash(str(value))
    key = key.removesuffix("isbetter")
    for polarity in Polarity:
        if key == polarity.value:
            return polarity
    raise ValueError(f"expected a polarity of 'higher' or 'lower' (is better), found {value!r}")


def parse_nation(value: object) -> Nation:
    if isinstance(value, Nation):
        return value
    key = "" if is_blank(value) else _squash(str(value))
    for nation in Nation:
        if key == _squash(nation.value):
            return nation
    raise ValueError(f"expected a nation of England or Wales, found {value!r}")


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(value: object) -> str | None:
    """Text cells: strip, and treat blank as missing.

    A lone surrogate (an undecodable byte of a file name used as the trust's name) is no
    character at all: it becomes U+FFFD, the replacement character, so the text can be stored.
    """
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _LONE_SURROGATE.sub("\ufffd", str(value).strip())


def ref_key(ref: str) -> str:
    return _squash(ref)


_NUMBER_TEXT = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?$")


def parse_number(value: object) -> float | None:
    """A numeric cell, or a number typed as text (``1,234``, ``45%``). Blank is missing."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"expected a number, found {value!r}")
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"expected a finite number, found {value!r}")
        return float(value)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    percent = text.endswith("%")
    text = text.removesuffix("%")
    if text and text not in ("+", "-", ".") and _NUMBER_TEXT.match(text):
        number = float(text.replace(",", ""))
        return number / 100 if percent else number
    raise ValueError(f"expected a number, found {value!r}")


# Excel's day 0 is 1899-12-30 once its fictitious 1900-02-29 is allowed for.
_EXCEL_EPOCH_ORDINAL = date(1899, 12, 30).toordinal()


def parse_date(value: object) -> date | None:
    """A date cell, an Excel serial number, or a date typed as text (ISO or UK day-first)."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel's own range: 1900-01-01 to 9999-12-31
            return date.fromordinal(_EXCEL_EPOCH_ORDINAL + int(value))
        raise ValueError(f"expected a date, found the number {value!r}")
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y", "%d/%m/%y",
                "%d.%m.%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y", "%B %Y", "%b %Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"expected a date such as 2010-04-01 or 01/04/2010, found {value!r}")


def round_half_up(value: float, digits: int = 1) -> float:
    """Round as Excel's ROUND does (31.25 -> 31.3), not to even as Python's round does.

    A score computed in binary floating point can land a hair below an exact tie
    (100·(0.4·0.125 + 0.4·0.6)/0.8 is 36.24999999999999, not 36.25), so the value is first
    taken to 9 decimals, far finer than any score's own precision, and then rounded half up.
    """
    quantum = Decimal(1).scaleb(-digits)
    settled = Decimal(repr(value)).quantize(Decimal("1e-9"), rounding=ROUND_HALF_UP)
    return float(settled.quantize(quantum, rounding=ROUND_HALF_UP))
