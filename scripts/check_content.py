#!/usr/bin/env python3
"""Content quality checks for the calcinosis book and its leaflet.

The code is in calcinosis_guide.content_checks; `make` installs the package into .venv.
Run `.venv/bin/python scripts/check_content.py --help` for the options.
"""

import sys

from calcinosis_guide.content_checks import main

if __name__ == "__main__":
    sys.exit(main())
