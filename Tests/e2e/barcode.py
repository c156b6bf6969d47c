"""Marionette capture-time bar code, version 1 (the definition is the comment block at the top of
web/viewer.js; this module and web/barcode.js implement it identically).

80 cells across the top band of the frame (cell i spans x in [floor(i*W/80), floor((i+1)*W/80)),
rows [0, B) with B = max(4, floor(W/80))), white = 1, black = 0:
start guard 1010, 64 bits of capture time (ms since the Unix epoch, MSB first), CRC-8 (poly 0x07,
init 0) of those 8 bytes, stop guard 0101; black quiet rows [B, B + B//2).
"""

from __future__ import annotations

import numpy as np

CELLS = 80
START = (1, 0, 1, 0)
STOP = (0, 1, 0, 1)
DATA_OFFSET = 4
CRC_OFFSET = 68
STOP_OFFSET = 76
MIN_CONTRAST = 80.0
MIN_WIDTH = 320


def band_height(width: int) -> int:
    return max(4, width // CELLS)


def cell_start(i: int, width: int) -> int:
    return (i * width) // CELLS


def crc8(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def cells_for(ms: int) -> list[int]:
    data = int(ms).to_bytes(8, "big")
    bits = list(START)
    for byte in data:
        bits.extend((byte >> k) & 1 for k in range(7, -1, -1))
    crc = crc8(data)
    bits.extend((crc >> k) & 1 for k in range(7, -1, -1))
    bits.extend(STOP)
    return bits


def paint(rgb: np.ndarray, ms: int) -> None:
    """Paints the band and its quiet rows into an H x W x 3 uint8 RGB frame, in place."""
    height, width = rgb.shape[:2]
    band = band_height(width)
    rgb[: min(height, band + band // 2), :, :] = 0
    for i, bit in enumerate(cells_for(ms)):
        if bit:
            rgb[:band, cell_start(i, width) : cell_start(i + 1, width), :] = 255


def decode_luma(luma: np.ndarray) -> int | None:
    """Reads the capture time (ms) from an H x W luma plane (any range), or None."""
    height, width = luma.shape[:2]
    if width < MIN_WIDTH:
        return None
    band = band_height(width)
    if height < band:
        return None
    y0 = band // 4
    y1 = max(y0 + 1, -(-band * 3 // 4))
    levels = np.empty(CELLS)
    for i in range(CELLS):
        a, b = cell_start(i, width), cell_start(i + 1, width)
        w = b - a
        x0 = a + w // 4
        x1 = max(x0 + 1, b - w // 4)
        levels[i] = float(luma[y0:y1, x0:x1].mean())
    guards = [(v, levels[k]) for k, v in enumerate(START)] + [(v, levels[STOP_OFFSET + k]) for k, v in enumerate(STOP)]
    white = np.mean([l for v, l in guards if v == 1])
    black = np.mean([l for v, l in guards if v == 0])
    if white - black < MIN_CONTRAST:
        return None
    bits = (levels >= (white + black) / 2).astype(int).tolist()
    if tuple(bits[:4]) != START or tuple(bits[STOP_OFFSET:]) != STOP:
        return None
    value = 0
    for bit in bits[DATA_OFFSET:CRC_OFFSET]:
        value = (value << 1) | bit
    crc = 0
    for bit in bits[CRC_OFFSET:STOP_OFFSET]:
        crc = (crc << 1) | bit
    if crc != crc8(value.to_bytes(8, "big")):
        return None
    if value >= 1 << 53:  # same rule as the JavaScript reader
        return None
    return value


def decode_rgb(rgb: np.ndarray) -> int | None:
    """Reads the capture time from an H x W x 3 (or x4) RGB(A) frame with the viewer's luma weights."""
    r = rgb[..., 0].astype(np.uint32)
    g = rgb[..., 1].astype(np.uint32)
    b = rgb[..., 2].astype(np.uint32)
    return decode_luma(((r * 77 + g * 150 + b * 29) >> 8).astype(np.uint8))
