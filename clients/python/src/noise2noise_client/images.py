"""Noisy test images, made with the standard library only: the checks, benchmarks and tests send them."""

from __future__ import annotations

import random
import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def noisy_png(width: int, height: int, sigma: float = 25, seed: int = 1) -> bytes:
    """A smooth colour gradient with Gaussian noise, as an 8-bit RGB PNG."""
    rng = random.Random(seed)
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter type: none
        for x in range(width):
            for base in (60 + 120 * x // width, 80 + 100 * y // height, 150 - 60 * (x + y) // (width + height)):
                row.append(max(0, min(255, round(base + rng.gauss(0, sigma)))))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b"")


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, from its header."""
    if data[:8] != PNG_SIGNATURE:
        raise ValueError(f"not a PNG: {data[:16]!r}")
    width, height = struct.unpack(">II", data[16:24])
    return width, height
