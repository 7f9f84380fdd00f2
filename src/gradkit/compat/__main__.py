"""``python -m gradkit.compat script.py [args]``: run a PyTorch or MXNet program on gradkit."""
import sys

from ._runner import main

sys.exit(main())
