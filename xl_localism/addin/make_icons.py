"""Draw the Localism add-in's icons: ``python -m xl_localism.addin.make_icons``.

The PNGs in ``static/images/icons/`` are made by this script and committed, so the server needs
nothing to draw them and IT can see exactly what is served. The mark is a rounded square in the
tab's dark blue with a white "L" and, from 32 px, a green dot: "Localism, on track". Pure Python
(zlib), no imaging library: each pixel is the coverage of an 8 x 8 grid of samples, so edges are
smooth at every size.
"""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

ICONS = Path(__file__).resolve().parent / "static" / "images" / "icons"
FAVICON = ICONS.parent / "favicon.png"
# Every size an Office ribbon icon may declare (16, 32 and 80 are required), 64 for the
# HighResolutionIconUrl.
SIZES = (16, 20, 24, 32, 40, 48, 64, 80)
BLUE = (0x1F, 0x38, 0x64)
WHITE = (0xFF, 0xFF, 0xFF)
GREEN = (0x3C, 0xB3, 0x4A)
SAMPLES = 8


def _in_rounded_square(x: float, y: float, radius: float) -> bool:
    cx = min(max(x, radius), 1 - radius)
    cy = min(max(y, radius), 1 - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2


def _in_letter_l(x: float, y: float) -> bool:
    stem = 0.24 <= x <= 0.43 and 0.18 <= y <= 0.82
    foot = 0.24 <= x <= 0.76 and 0.64 <= y <= 0.82
    return stem or foot


def _in_dot(x: float, y: float) -> bool:
    return (x - 0.74) ** 2 + (y - 0.32) ** 2 <= 0.12 ** 2


def pixels(size: int) -> list[list[tuple[int, int, int, int]]]:
    """The icon at ``size`` x ``size`` as rows of RGBA."""
    dot = size >= 32
    rows = []
    for py in range(size):
        row = []
        for px in range(size):
            cover = {"bg": 0, "l": 0, "dot": 0}
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    x = (px + (sx + 0.5) / SAMPLES) / size
                    y = (py + (sy + 0.5) / SAMPLES) / size
                    if not _in_rounded_square(x, y, 0.2):
                        continue
                    if _in_letter_l(x, y):
                        cover["l"] += 1
                    elif dot and _in_dot(x, y):
                        cover["dot"] += 1
                    else:
                        cover["bg"] += 1
            total = cover["bg"] + cover["l"] + cover["dot"]
            if not total:
                row.append((0, 0, 0, 0))
                continue
            colour = tuple(
                round((BLUE[i] * cover["bg"] + WHITE[i] * cover["l"] + GREEN[i] * cover["dot"])
                      / total) for i in range(3))
            row.append((*colour, round(255 * total / SAMPLES ** 2)))
        rows.append(row)
    return rows


def png_bytes(rows: list[list[tuple[int, int, int, int]]]) -> bytes:
    """An 8-bit RGBA PNG of ``rows``."""
    height, width = len(rows), len(rows[0])
    raw = b"".join(b"\x00" + bytes(v for pixel in row for v in pixel) for row in rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def write_icons(folder: Path = ICONS) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for size in SIZES:
        path = folder / f"localism-{size}.png"
        path.write_bytes(png_bytes(pixels(size)))
        written.append(path)
    FAVICON.write_bytes(png_bytes(pixels(32)))
    return [*written, FAVICON]


if __name__ == "__main__":  # pragma: no cover
    for path in write_icons(Path(sys.argv[1]) if len(sys.argv) > 1 else ICONS):
        print(path)
