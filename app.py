"""Catalyst's dashboard: page set-up and navigation (terminal/ui/entry.py); screens in pages/."""

from terminal.ui.entry import run_app

run_app()
