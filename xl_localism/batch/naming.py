"""File names made from trust names, which come from submissions and so cannot be trusted."""

from __future__ import annotations

import re
import unicodedata

from xl_localism.workbook.files import xml_text

# Device names Windows refuses as file names, whatever the extension.
RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
            *(f"LPT{i}" for i in range(1, 10))}
MAX_STEM = 80


def safe_stem(name: str) -> str:
    """A file-name stem with no path separators, no '..', no reserved or hidden names."""
    # XML-safe first: the name is shown in the report, whose text every writer cleans.
    text = unicodedata.normalize("NFKC", xml_text(name or ""))
    text = re.sub(r'[\x00-\x1f\x7f<>:"/\\|?*]+', "_", text)
    text = re.sub(r"\.{2,}", "_", text)
    text = re.sub(r"\s+", " ", text).strip(" ._")
    if not text:
        text = "trust"
    if text.split(".")[0].upper() in RESERVED:
        text = f"_{text}"
    return text[:MAX_STEM].rstrip(" .")


def unique_stems(names: list[str]) -> list[str]:
    """Safe stems for each name, numbered where two would collide (case-insensitively)."""
    taken: set[str] = set()
    # The next number to try for each stem: numbers below it are all taken already, so a
    # trust with many submissions does not count up from 2 each time.
    next_number: dict[str, int] = {}
    stems = []
    for name in names:
        base = safe_stem(name)
        key = base.lower()
        stem, n = base, next_number.get(key, 2)
        while stem.lower() in taken:
            stem = f"{base} ({n})"
            n += 1
        next_number[key] = n
        taken.add(stem.lower())
        stems.append(stem)
    return stems
