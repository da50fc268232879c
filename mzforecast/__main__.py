"""`python -m mzforecast ...`: the same command line as `mzforecast ...`."""
import sys

from .cli import main

sys.exit(main())
