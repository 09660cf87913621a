#!/usr/bin/env python3
"""Build the web book with Sphinx, keeping the last good build if this one fails.

The code is in calcinosis_guide.build; `make` installs the package into .venv.
Run `.venv/bin/python scripts/build_book.py --help` for the options.
"""

import sys

from calcinosis_guide.build import main

if __name__ == "__main__":
    sys.exit(main())
