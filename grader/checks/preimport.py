"""Imported by the check workers' fork server only (its last preload): the batch's check files.

See :mod:`grader.checks.precollect`. The grader names the folders in the fork server's
environment while it starts it; the variable is removed here, so no worker inherits it.
"""

import os

from grader.checks.precollect import ENV, preload

preload(os.environ.pop(ENV, ""))
