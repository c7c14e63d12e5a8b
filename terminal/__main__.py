"""`python -m terminal`: the Catalyst command line."""

from terminal.cli import main

if __name__ == "__main__":  # worker processes re-import this module; only the CLI runs it
    main()
