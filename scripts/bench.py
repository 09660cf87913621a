#!/usr/bin/env python3
"""Benchmark the build and the leaflets: `make bench` (a benchmark, not a test).

The code is in calcinosis_guide.bench; `make` installs the package into .venv.
Run `.venv/bin/python scripts/bench.py --help` for the options.
"""

import sys

from calcinosis_guide.bench import main

if __name__ == "__main__":
    sys.exit(main())
