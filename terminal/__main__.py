"""`python -m terminal`: the Catalyst command line."""

from terminal.cli import main

main()
