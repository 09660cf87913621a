#!/usr/bin/env python3
"""Benchmark the web book: Lighthouse (mobile, default throttling) on every page.

The code is in calcinosis_guide.audit; `make` installs the package into .venv.
Run `.venv/bin/python scripts/audit_web.py --help` for the options.
"""

import sys

from calcinosis_guide.audit import main

if __name__ == "__main__":
    sys.exit(main())
