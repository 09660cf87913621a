"""The two-command set-up explains itself when the machine's Python is too old."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

OLD_PYTHON = f"""#!/bin/sh
# Pretends to be Python 3.9 for the Makefile's version check.
if [ "$1" = "-c" ]; then
  exec {sys.executable} -c "import sys; sys.version_info = (3, 9, 18, 'final', 0); sys.version = '3.9.18'
$2"
fi
exec {sys.executable} "$@"
"""


def test_make_with_a_python_older_than_3_11_says_so_and_creates_nothing(tmp_path):
    python = tmp_path / "python3.9"
    python.write_text(OLD_PYTHON)
    python.chmod(0o755)
    venv = tmp_path / "venv"
    result = subprocess.run(["make", "-C", str(ROOT), "venv", f"PYTHON={python}", f"VENVDIR={venv}"],
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "This project needs Python 3.11 or newer; found 3.9.18" in result.stderr
    assert not venv.exists()


def test_make_without_that_python_says_what_to_install(tmp_path):
    result = subprocess.run(["make", "-C", str(ROOT), "venv", "PYTHON=no-such-python3", f"VENVDIR={tmp_path / 'v'}"],
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "No 'no-such-python3' found: install Python 3.11 or newer" in result.stderr
