#!/usr/bin/env python3
"""Content checks for the calcinosis book and its leaflet (make check).

The checks run inside the Sphinx build (calcinosis_guide.checks); this
script builds strictly, runs codespell and prints the readability table and
review status. The code is in calcinosis_guide.checks.cli; `make` installs
the package into .venv. Run `.venv/bin/python scripts/check_content.py --help`.
"""

import sys

from calcinosis_guide.checks.cli import main

if __name__ == "__main__":
    sys.exit(main())
