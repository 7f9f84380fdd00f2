"""``gradkit._malloc``: freed memory stays with the process, so a training step's large
temporaries do not page-fault again every step (measured with the process's own fault count)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

CHILD = """
import resource, numpy as np
import gradkit
from gradkit._malloc import keep_freed_memory
def step():  # a step's temporaries: 20 MB blocks (LeNet's first im2col), all freed at its end
    blocks = [np.ones(5_000_000, np.float32) for _ in range(4)]
    del blocks
for _ in range(3):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    step()
print(keep_freed_memory(), resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def run_child(**env: str) -> tuple[str, int]:
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                         env={**os.environ, **env}, check=True).stdout.split()
    return out[0], int(out[1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt: Linux only")
def test_freed_blocks_are_reused_without_page_faults():
    kept, faults = run_child()
    assert kept == "True"
    assert faults < 500  # fresh pages for 10 steps would be ~200,000 faults of 4 KiB


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt: Linux only")
def test_the_environment_variable_turns_it_off():
    kept, faults = run_child(GRADKIT_KEEP_FREED_MEMORY="0")
    assert kept == "False"
    assert faults > 5_000  # each block is a fresh mmap again: the test above can fail
