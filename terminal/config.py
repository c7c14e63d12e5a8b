"""Settings, read in one place."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
SAMPLE_DIR = DATA_DIR / "sample"
DEFAULT_DATABASE_URL = f"sqlite:///{DATA_DIR / 'terminal.db'}"


def database_url() -> str:
    """`TERMINAL_DATABASE_URL` when set, else the SQLite file `data/terminal.db`."""
    return os.environ.get("TERMINAL_DATABASE_URL") or DEFAULT_DATABASE_URL


def benchmark_symbol() -> str:
    """The market benchmark reactions are measured against (`TERMINAL_BENCHMARK`, SPY)."""
    return (os.environ.get("TERMINAL_BENCHMARK") or "SPY").strip().upper()
