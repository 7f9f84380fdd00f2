"""``python -m gradkit``: the same command line as ``gradkit``."""
import sys

from .cli import main

sys.exit(main())
