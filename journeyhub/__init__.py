"""The commands a person runs: `make demo` (``python -m journeyhub.demo``) and `make ui` (``python -m journeyhub.dev``).

They start the sandbox and Dagster around the code location (``pipelines``), so they live outside it: Dagster loads
``pipelines.definitions`` and nothing that starts processes.
"""
