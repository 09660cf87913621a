#!/usr/bin/env python3
"""Render the printable patient leaflet (PDF) from the book's MyST pages.

The code is in calcinosis_guide.leaflet_command; `make` installs the package into .venv.
Run `.venv/bin/python scripts/build_leaflet.py --help` for the options.
"""

import sys

from calcinosis_guide.leaflet_command import main

if __name__ == "__main__":
    sys.exit(main())
