"""The whole path at scale: world generation straight into the raw tables, the dbt build, an incremental run,
attribution, a least-work reference query, connector overhead and a reverse-ETL plan, each timed in its own process
(``python -m benchmarks.scale --scale N``; ``make bench SCALE=N``)."""
