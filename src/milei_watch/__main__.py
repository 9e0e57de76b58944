"""Run the command line with `python -m milei_watch`."""

from .cli import run

run()
