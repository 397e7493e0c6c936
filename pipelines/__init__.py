"""The journeyhub Dagster code location (entry point: ``pipelines.definitions``)."""

import os
import sys
from pathlib import Path

# dagster-dbt starts `dbt` as a subprocess (also when `dagster dev` re-parses the project). Put the tools of the
# interpreter running this code first on PATH, so a virtualenv that was never activated (make, CI, the UI) works.
_bin = str(Path(sys.executable).parent)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")
