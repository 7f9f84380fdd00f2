"""The runner: aliases for the run only, NotImplementedError naming missing APIs, and a
program's view of the world (argv, __main__, sys.path[0], exit code, traceback) as under
``python script.py``."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import gradkit
from gradkit import compat
from compat_support import PROGRAMS, run_cli, subprocess_env

HAS_TORCH = importlib.util.find_spec("torch") is not None
MULTIFILE = PROGRAMS / "multifile" / "train.py"


def _python(code: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd,
                          env=subprocess_env(), capture_output=True, text=True, timeout=120)


# -- the aliases ----------------------------------------------------------------------------
def test_every_import_form_of_the_notes_gets_gradkit():
    with compat.installed():
        import torch
        import torch.nn.functional as F
        import torchvision
        from d2l import torch as d2l
        from torch import nn
        from torch.distributions import multinomial
        from torch.utils import data
        from torchvision import datasets, transforms
        import d2l.torch as d2l_again

        assert torch.tensor is gradkit.tensor and torch.Tensor is gradkit.Tensor
        assert nn.Linear is gradkit.nn.Linear and F.relu is gradkit.nn.functional.relu
        assert torch.nn is nn and torch.nn.functional is F
        assert torch.optim.SGD is gradkit.optim.SGD
        assert data.DataLoader is gradkit.utils.data.DataLoader
        assert torch.utils.data is data
        assert multinomial.Multinomial is gradkit.distributions.Multinomial
        assert torchvision.datasets is datasets
        assert transforms.ToTensor is gradkit.vision.transforms.ToTensor
        assert d2l.synthetic_data is gradkit.d2l.synthetic_data and d2l_again is d2l
        assert isinstance(nn.Linear(2, 1), torch.nn.Module)
        assert torch.cuda.is_available() is False
        assert compat.is_installed()


def test_mxnet_import_forms_get_the_facade():
    with compat.installed():
        import mxnet as mx
        from mxnet import autograd, gluon, init, nd
        from mxnet.gluon import data as gdata
        from mxnet.gluon import loss as gloss
        from mxnet.gluon import nn

        assert nd.array is compat.mxnet.nd.array and mx.nd is nd
        assert autograd.record is compat.mxnet.autograd.record
        assert gluon.Trainer is compat.mxnet.gluon.Trainer and init.Normal is not None
        assert gdata.ArrayDataset and gloss.L2Loss and nn.Dense
        assert isinstance(mx.cpu(), mx.Context)


@pytest.mark.parametrize("expression, api", [
    ("torch.nn.LSTM", "torch.nn.LSTM"),
    ("torch.fft", "torch.fft"),
    ("torchvision.models", "torchvision.models"),
    ("d2l.load_data_time_machine", "d2l.torch.load_data_time_machine"),
    ("mx.gluon.rnn", "mxnet.gluon.rnn"),
    ("gdata.vision", "mxnet.gluon.data.vision"),
])
def test_missing_attribute_raises_not_implemented_naming_it(expression, api):
    with compat.installed():
        import mxnet as mx
        import torch
        import torchvision
        from d2l import torch as d2l
        from mxnet.gluon import data as gdata

        with pytest.raises(NotImplementedError, match=f"^{api} is not implemented in gradkit"):
            eval(expression)
        # Also an AttributeError, so probes keep working as they do against real torch.
        owner, _, name = expression.rpartition(".")
        assert hasattr(eval(owner), name) is False


@pytest.mark.parametrize("statement, api", [
    ("from torch.nn import LSTM", "torch.nn.LSTM"),
    ("import torch.nn.modules.rnn", "torch.nn.modules.rnn"),
    ("from torchvision.transforms import functional", "torchvision.transforms.functional"),
    ("import d2l.mxnet", "d2l.mxnet"),
    ("import torch.compat", "torch.compat"),
])
def test_missing_import_raises_not_implemented_naming_it(statement, api):
    with compat.installed():
        with pytest.raises(NotImplementedError, match=f"^{api} is not implemented in gradkit"):
            exec(statement, {})
        with pytest.raises(ImportError):  # what real torch raises for a missing name
            exec(statement, {})


def test_a_typo_gets_a_suggestion():
    with compat.installed():
        import torch

        with pytest.raises(NotImplementedError, match=r"did you mean torch\.arange\?"):
            torch.arrange(12)


def test_program_attributes_stay_on_the_alias():
    with compat.installed():
        import torch

        torch.my_setting = 3
        assert torch.my_setting == 3
    assert not hasattr(gradkit, "my_setting")


def test_install_uninstall_and_nesting():
    assert not compat.is_installed()
    compat.install()
    try:
        compat.install()  # twice is harmless
        with compat.installed():
            import torch
        assert compat.is_installed()  # the inner block leaves the outer installation
        assert sys.modules["torch"] is torch
    finally:
        compat.uninstall()
    assert not compat.is_installed()
    assert sys.modules.get("torch") is not torch  # the alias is gone


def test_importing_gradkit_does_not_import_compat():
    result = _python("import gradkit, sys; print('gradkit.compat' in sys.modules)")
    assert result.stdout.strip() == "False", result.stderr


# -- a real torch outside the run -------------------------------------------------------------
@pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed")
def test_real_torch_imported_before_is_set_aside_and_restored():
    result = _python("""
        import sys
        import torch, torch.nn
        real, real_nn = torch, sys.modules["torch.nn"]
        import gradkit, gradkit.compat
        with gradkit.compat.installed():
            import torch as t
            import torch.nn.functional as F
            assert t is not real and t.zeros(1).__class__ is gradkit.Tensor
            assert F.relu is gradkit.nn.functional.relu
        assert sys.modules["torch"] is real and sys.modules["torch.nn"] is real_nn
        assert not any(type(m).__name__ == "AliasModule" for m in sys.modules.values())
        import torch.nn.functional as F
        print(type(F.relu(torch.ones(1))).__module__, torch.__version__)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("torch ")


@pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed")
def test_real_torch_imports_normally_after_a_run(tmp_path):
    script = tmp_path / "uses_torch.py"
    # Under the run, gradkit's Tensor (whose module then reads "torch", as torch's does).
    script.write_text("import torch, gradkit\nx = torch.ones(2)\n"
                      "print(type(x) is gradkit.Tensor, type(x).__module__)\n")
    result = _python(f"""
        import sys
        import gradkit.compat
        gradkit.compat.run_path({str(script)!r})
        assert "torch" not in sys.modules and "torch.nn" not in sys.modules
        import torch
        print(torch.__file__.endswith("__init__.py"), type(torch.ones(1)).__module__)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["True torch", "True torch"]


# -- running programs -------------------------------------------------------------------------
def test_program_sees_main_argv_and_its_folder(tmp_path, capsys):
    (tmp_path / "helper.py").write_text("import torch\nNAME = torch.__name__\n")
    script = tmp_path / "prog.py"
    script.write_text(textwrap.dedent("""
        import os, sys
        import helper
        print(__name__, sys.argv, sys.path[0] == os.path.dirname(__file__), helper.NAME,
              os.path.isabs(__file__))
    """))
    path_before, argv_before = list(sys.path), list(sys.argv)
    result = compat.run_path(script, ["--epochs", "1"])
    out = capsys.readouterr().out
    assert out.strip() == f"__main__ {[str(script), '--epochs', '1']} True torch True"
    assert result["helper"].NAME == "torch"
    assert sys.path == path_before and sys.argv == argv_before
    assert "helper" not in sys.modules  # forgotten, as a new process would
    assert not compat.is_installed()


def test_multifile_program_through_the_command_line(book_folder):
    result = run_cli(str(MULTIFILE), "--epochs", "1", "--lr", "0.03", cwd=book_folder)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and lines[0].startswith("epoch 1, loss ")
    assert float(lines[0].split()[-1]) < 1e-3
    assert lines[2] == "modules __main__ model data_utils torch " \
        "['--epochs', '1', '--lr', '0.03']"


def test_exit_code_and_traceback_are_the_programs(book_folder):
    failed = run_cli(str(MULTIFILE), "--epochs", "0", "--fail", cwd=book_folder)
    assert failed.returncode == 1
    stderr = failed.stderr
    assert stderr.startswith("Traceback (most recent call last):\n"
                             f'  File "{MULTIFILE}", line ')
    assert 'data_utils.py", line 16, in explode' in stderr
    assert stderr.rstrip().endswith("ValueError: boom from data_utils")
    assert "gradkit/compat" not in stderr and "runpy" not in stderr

    exited = run_cli(str(MULTIFILE), "--epochs", "0", "--exit-code", "3", cwd=book_folder)
    assert exited.returncode == 3 and exited.stderr == ""

    usage = run_cli(str(MULTIFILE), "--epochs", "x", cwd=book_folder)
    assert usage.returncode == 2
    assert "train.py: error: argument --epochs: invalid int value: 'x'" in usage.stderr


def test_command_line_usage_errors(tmp_path):
    assert run_cli().returncode == 2
    missing = run_cli(str(tmp_path / "nope.py"))
    assert missing.returncode == 2 and "can't open file" in missing.stderr
    helped = run_cli("--help")
    assert helped.returncode == 0 and "python -m gradkit.compat [--real-d2l] script.py" in helped.stdout


def test_run_a_module_with_dash_m(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "job.py").write_text("import sys, torch\nprint(__name__, sys.argv[1:], "
                                    "torch.ones(2).sum().item())\n")
    result = run_cli("-m", "pkg.job", "--x", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "__main__ ['--x', '1'] 2.0"


def test_missing_api_traceback_ends_at_the_users_line(tmp_path):
    script = tmp_path / "rnn.py"
    script.write_text("import torch\nfrom torch import nn\nlayer = nn.LSTM(1, 6)\n")
    result = run_cli(str(script))
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip(" ^~")]  # 3.11 carets
    assert lines[-3:] == [
        f'  File "{script}", line 3, in <module>',
        "    layer = nn.LSTM(1, 6)",
        "gradkit.compat.UnsupportedAPIError: torch.nn.LSTM is not implemented in gradkit",
    ]
    assert "_proxy.py" not in result.stderr
