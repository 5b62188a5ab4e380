"""Simple deterministic phantom images as little-endian pixel bytes (no numpy)."""

from __future__ import annotations

import sys
from array import array


def _u16(values: array) -> bytes:
    # DICOM Explicit VR Little Endian needs little-endian words whatever the host is.
    if sys.byteorder == "big":
        values.byteswap()
    return values.tobytes()


def _inside(x: float, y: float, cx: float, cy: float, rx: float, ry: float) -> bool:
    return ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1.0


def ct_slice(size: int, index: int, count: int) -> bytes:
    """A slice of an ellipsoid body with a bone ring and two lungs, stored as HU + 1024."""
    # The body shrinks towards both ends of the stack, like a real scan of a torso.
    t = 1.0 - abs((index + 0.5) / count - 0.5) * 1.2
    c = size / 2
    lung_dx, lung_rx, lung_ry = 0.17 * size, 0.12 * size * t, 0.2 * size * t
    values = array("H")
    for y in range(size):
        for x in range(size):
            hu = -1000
            if _inside(x, y, c, c, 0.45 * size * t, 0.35 * size * t):
                hu = 40
                if not _inside(x, y, c, c, 0.40 * size * t, 0.30 * size * t):
                    hu = 700
                elif _inside(x, y, c - lung_dx, c, lung_rx, lung_ry) or _inside(
                    x, y, c + lung_dx, c, lung_rx, lung_ry
                ):
                    hu = -800
            values.append(hu + 1024)
    return _u16(values)


def mr_slice(size: int, index: int, count: int, *, t2: bool = False) -> bytes:
    """A slice of a head: skull, brain and ventricles, contrast as in T1 or T2."""
    t = 1.0 - abs((index + 0.5) / count - 0.5)
    c = size / 2
    fluid, tissue, fat = (1800, 900, 600) if t2 else (300, 900, 1500)
    values = array("H")
    for y in range(size):
        for x in range(size):
            value = 0
            if _inside(x, y, c, c, 0.42 * size * t, 0.46 * size * t):
                value = fat
                if _inside(x, y, c, c, 0.36 * size * t, 0.40 * size * t):
                    value = tissue + (x * 7 + y * 3) % 40
                    if _inside(x, y, c, c, 0.08 * size, 0.15 * size * t):
                        value = fluid
            values.append(value)
    return _u16(values)


def cr_image(size: int) -> bytes:
    """A radiograph-like image: a soft vertical gradient with two bright bones."""
    values = array("H")
    for y in range(size):
        for x in range(size):
            value = 400 + (y * 1200) // size
            if abs(x - size * 0.35) < size * 0.06 or abs(x - size * 0.65) < size * 0.06:
                value = 3000 - (y * 500) // size
            values.append(value)
    return _u16(values)


def us_image(size: int) -> bytes:
    """An 8-bit ultrasound-like fan with speckle and a dark cyst."""
    out = bytearray(size * size)
    apex_x = size / 2
    for y in range(size):
        for x in range(size):
            dx = x - apex_x
            if y > 2 and abs(dx) < y * 0.8:
                speckle = (x * 73 + y * 151 + x * y * 7) % 97
                value = 60 + speckle + (size - y)
                if _inside(x, y, apex_x + 6, size * 0.6, 7, 5):
                    value = 10
                out[y * size + x] = min(value, 255)
    return bytes(out)


def tiny_image(seed: int, *, eight_bit: bool) -> bytes:
    """An 8x8 pattern for benchmark studies."""
    if eight_bit:
        return bytes((seed * 31 + i * 17) % 256 for i in range(64))
    return _u16(array("H", ((seed * 131 + i * 61) % 4096 for i in range(64))))
