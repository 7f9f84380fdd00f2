"""Helpers of the compat tests (importable as ``compat_support``)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROGRAMS = Path(__file__).parent / "programs"


def subprocess_env() -> dict[str, str]:
    """The environment for ``python -m gradkit.compat`` in a subprocess: the gradkit these
    tests imported comes first on its path."""
    import gradkit

    source = Path(gradkit.__file__).resolve().parents[1]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(source)] + [p for p in
                                         env.get("PYTHONPATH", "").split(os.pathsep) if p])
    env["MPLBACKEND"] = "Agg"
    return env


def run_cli(*args: str, cwd: str | os.PathLike[str] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -m gradkit.compat *args`` in a subprocess; text output captured."""
    return subprocess.run([sys.executable, "-m", "gradkit.compat", *args], cwd=cwd,
                          env=subprocess_env(), capture_output=True, text=True,
                          timeout=timeout)
