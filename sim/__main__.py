"""``python -m sim`` is the same CLI as ``negsim``."""

import sys

from sim.cli import main

sys.exit(main())
