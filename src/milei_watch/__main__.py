"""Run the command line with `python -m milei_watch`."""

import sys

from .cli import main

sys.exit(main())
