"""The journey map report, built after publishing (see pipelines/report/assets.py)."""
