"""The README stays true: every setting the code reads and every CLI command is documented."""

from __future__ import annotations

import re

from typer.main import get_command

from terminal.cli import app
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_environment_setting_is_in_the_readme():
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "terminal").rglob("*.py"))
    settings = set(re.findall(r"\"(TERMINAL_[A-Z_]+)\"", code))
    assert {"TERMINAL_DATABASE_URL", "TERMINAL_BENCHMARK"} <= settings
    assert [s for s in sorted(settings) if f"`{s}`" not in README] == []


def test_every_command_is_shown_in_the_readme():
    commands = get_command(app).commands  # type: ignore[attr-defined]
    assert [c for c in sorted(commands) if f"python -m terminal {c}" not in README] == []


def test_readme_shows_the_two_commands():
    assert "make run" in README and "make test" in README
