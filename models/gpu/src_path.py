"""Puts models/src on sys.path: the GPU machine runs these scripts from a checkout, n2n_models not installed.

Import it before any ``n2n_models`` module.
"""

import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[1] / "src")
if SRC not in sys.path:
    sys.path.insert(0, SRC)
