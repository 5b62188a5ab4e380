"""Simple deterministic phantom images as little-endian pixel bytes (no numpy)."""

from __future__ import annotations

import random
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
    return bytes(_us_fan(size))


def us_cine_frame(size: int, index: int, count: int) -> bytes:
    """A frame of an ultrasound clip: the fan of `us_image` with a bright blob moving across."""
    out = _us_fan(size)
    # Left to right over the clip, a few pixels per frame: any two frames differ visibly.
    cx = size * (0.3 + 0.4 * index / max(count - 1, 1))
    cy, r = size * 0.45, size * 0.09
    for y in range(int(cy - r), int(cy + r) + 2):
        for x in range(int(cx - r), int(cx + r) + 2):
            if 0 <= x < size and 0 <= y < size and _inside(x, y, cx, cy, r, r):
                out[y * size + x] = 235
    return bytes(out)


def _us_fan(size: int) -> bytearray:
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
    return out


def tiny_image(seed: int, *, eight_bit: bool) -> bytes:
    """An 8x8 pattern for benchmark studies."""
    if eight_bit:
        return bytes((seed * 31 + i * 17) % 256 for i in range(64))
    return _u16(array("H", ((seed * 131 + i * 61) % 4096 for i in range(64))))


class LargeCtPhantom:
    """Slices of a big CT stack built from cached rows: fast enough for hundreds of MB."""

    def __init__(self, size: int, count: int, seed: str) -> None:
        self.size, self.count, self.seed = size, count, seed
        # The low nibble of each word's low byte: up to 15 HU of noise.
        self._noise_mask = int.from_bytes(b"\x0f\x00" * (size * size), "little")
        self._rows: dict[tuple[int, int], bytes] = {}
        self._word = {hu: _u16(array("H", [hu + 1024])) for hu in (-1000, 40, 700)}

    def _row(self, half_width: int, bone: int) -> bytes:
        """Air, bone, soft tissue, bone, air: the row through a disc of this half-width."""
        key = (half_width, bone)
        if key not in self._rows:
            air, soft, cortex = self._word[-1000], self._word[40], self._word[700]
            side = self.size // 2 - half_width
            if half_width <= bone:
                row = (
                    air * side
                    + cortex * (2 * half_width)
                    + air * (self.size - side - 2 * half_width)
                )
            else:
                inner = 2 * (half_width - bone)
                row = air * side + cortex * bone + soft * inner + cortex * bone
                row += air * (self.size - side - 2 * bone - inner)
            self._rows[key] = row
        return self._rows[key]

    def slice(self, index: int) -> bytes:
        """Slice `index`: a disc whose radius swells and shrinks along the stack."""
        size = self.size
        t = 1.0 - abs((index + 0.5) / self.count - 0.5) * 1.2
        radius, bone = 0.45 * size * t, max(1, size // 64)
        c = size / 2
        rows = []
        for y in range(size):
            dy = y + 0.5 - c
            half = int(max(radius * radius - dy * dy, 0.0) ** 0.5) if abs(dy) < radius else 0
            rows.append(self._row(min(half, size // 2), bone))
        clean = b"".join(rows)
        # Noise as in a real scan, so that a ZIP of the study is not a few kilobytes; big-int
        # XOR keeps it fast (no numpy).
        noise = random.Random(f"{self.seed}:{index}").randbytes(len(clean))  # noqa: S311
        mixed = int.from_bytes(clean, "little") ^ (
            int.from_bytes(noise, "little") & self._noise_mask
        )
        return mixed.to_bytes(len(clean), "little")
