"""The report writers, under their old name: see autograder/reports/."""

from .reports import *            # noqa: F401,F403
from .reports import __all__      # noqa: F401
