"""``install(d2l="package")`` / ``--real-d2l``: an installed d2l package imports itself and gets
gradkit as its torch. The d2l here is a small stand-in written by the test, importing torch the
way d2l 1.0.3's ``d2l/torch.py`` does (the real one is not installed in the test environment)."""
from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

import gradkit
from gradkit import compat
from compat_support import subprocess_env

import subprocess

FAKE_TORCH_PY = '''
"""A stand-in for d2l 1.0.3's d2l/torch.py: its imports, aliases bound at import time, and a
class built on torch.nn."""
import numpy as np
import torch
import torchvision
from torch import nn
from torch.nn import functional as F
from torch.utils import data
from torchvision import transforms

FROM_PACKAGE = True
meshgrid, argsort, nonzero = torch.meshgrid, torch.argsort, torch.nonzero
repeat_interleave, cosh, sinh = torch.repeat_interleave, torch.cosh, torch.sinh
reduce_sum = lambda x, *args, **kwargs: x.sum(*args, **kwargs)


def num_gpus():
    return torch.cuda.device_count()


class Module(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.LazyLinear(1)

    def forward(self, X):
        return self.net(X)
'''


@pytest.fixture
def fake_d2l(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder on ``sys.path`` holding the stand-in ``d2l`` package."""
    package = tmp_path / "site" / "d2l"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('__version__ = "1.0.3"\n')
    (package / "torch.py").write_text(FAKE_TORCH_PY)
    monkeypatch.syspath_prepend(str(package.parent))
    for name in [n for n in sys.modules if n == "d2l" or n.startswith("d2l.")]:
        monkeypatch.delitem(sys.modules, name)
    return package.parent


def test_the_package_option_imports_the_installed_d2l_on_gradkit(fake_d2l):
    with compat.installed(d2l="package"):
        from d2l import torch as d2l

        assert Path(d2l.__file__).parent == fake_d2l / "d2l"
        assert d2l.FROM_PACKAGE and d2l.torch.tensor is gradkit.tensor
        assert d2l.nn.Linear is gradkit.nn.Linear and d2l.F.relu is gradkit.nn.functional.relu
        assert d2l.meshgrid is gradkit.meshgrid and d2l.repeat_interleave is \
            gradkit.repeat_interleave
        assert d2l.num_gpus() == 0
        model = d2l.Module()
        assert isinstance(model, gradkit.nn.Module)
        assert model(gradkit.ones(4, 3)).shape == (4, 1)
        assert d2l.reduce_sum(gradkit.ones(2, 3), 1).tolist() == [3.0, 3.0]
    # Imported on gradkit, it does not outlive the installation.
    assert "d2l" not in sys.modules and "d2l.torch" not in sys.modules


def test_the_default_still_gives_gradkits_d2l_with_a_package_installed(fake_d2l):
    with compat.installed():
        from d2l import torch as d2l

        assert d2l.synthetic_data is gradkit.d2l.synthetic_data
    with compat.installed(d2l="gradkit"):
        import d2l.torch

        assert not hasattr(d2l.torch, "FROM_PACKAGE")


def test_a_d2l_imported_before_comes_back_after(fake_d2l):
    import d2l as before  # the package itself (its torch.py is not imported here)

    with compat.installed(d2l="package"):
        import d2l

        assert d2l is not before  # a fresh copy, importing gradkit
    assert sys.modules["d2l"] is before


def test_bad_or_conflicting_choices_are_value_errors():
    with pytest.raises(ValueError, match="choose 'gradkit'"):
        compat.install(d2l="mxnet")
    assert not compat.is_installed()
    with compat.installed(d2l="package"):
        with pytest.raises(ValueError, match="uninstall"):
            compat.install()
        compat.install(d2l="package")  # the same choice again does nothing
        assert compat.is_installed()
    assert not compat.is_installed()


def test_the_command_line_flag_runs_a_program_with_the_installed_d2l(fake_d2l, tmp_path):
    script = tmp_path / "chapter.py"
    script.write_text(textwrap.dedent('''
        import torch
        from d2l import torch as d2l
        print(getattr(d2l, "FROM_PACKAGE", False))
        if hasattr(d2l, "FROM_PACKAGE"):
            grid = d2l.meshgrid(torch.arange(2), torch.arange(3), indexing="ij")
            print(isinstance(d2l.Module(), torch.nn.Module), tuple(grid[0].shape))
    '''))
    env = subprocess_env()
    env["PYTHONPATH"] = env["PYTHONPATH"] + ":" + str(fake_d2l)
    result = subprocess.run([sys.executable, "-m", "gradkit.compat", "--real-d2l", str(script)],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "(2,", "3)"]
    plain = subprocess.run([sys.executable, "-m", "gradkit.compat", str(script)],
                           env=env, capture_output=True, text=True, timeout=120)
    assert plain.returncode == 0 and plain.stdout.split() == ["False"]  # gradkit's own d2l
