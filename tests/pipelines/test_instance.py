"""The Dagster instance settings the project ships (dagster_home/dagster.yaml), as `make ui` and `make demo` use it."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

DAGSTER_HOME = Path(__file__).resolve().parents[2] / "dagster_home"


def test_the_instance_settings_load_and_hold_what_the_docs_promise(tmp_path: Path) -> None:
    config = (DAGSTER_HOME / "dagster.yaml").read_text()
    (tmp_path / "dagster.yaml").write_text(config)  # a copy: loading the instance writes storage beside it
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert instance.nux_enabled is False  # no welcome modal for the data engineers who open the UI
        assert instance.telemetry_enabled is False
        pools = instance.get_settings("concurrency")["pools"]
        assert pools["default_limit"] == 1  # one step per vendor API pool and per warehouse
