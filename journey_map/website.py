"""The website's part of the journey map: which landing pages and devices bring people who go on to identify and
convert, and the pages visitors leave from before they ever become a lead.

Same grain as every other table of the report (persona x cohort month), so the browser filters these too. A person
belongs to one persona and one cohort, so counts of distinct persons per row still add up across those filters.
"""

from __future__ import annotations

import duckdb

from journey_map.queries import PEOPLE, Table, read_table

# The stages before a person becomes a lead: someone who drops off here never talked to sales.
PRE_LEAD_STAGES = ("awareness", "engagement")
NO_PAGE = "(unknown page)"

# Sessions by the column they are grouped on: each row counts the sessions, and the distinct persons behind them with
# how many of those identified (are not anonymous visitors) and how many converted.
_SESSION_GROUPS = {"landing_page": "s.landing_page_path", "device": "s.device_category"}


def _sessions_by(con: duckdb.DuckDBPyConnection, group: str) -> Table:
    column = _SESSION_GROUPS[group]
    return read_table(
        con,
        f"""with {PEOPLE}
        select p.persona, p.cohort, coalesce({column}, '{NO_PAGE}') as {group},
               count(*) as sessions,
               count(distinct s.person_key) as persons,
               count(distinct s.person_key) filter (where not j.is_anonymous) as identified,
               count(distinct s.person_key) filter (where j.is_converted) as converted
        from marts.fct_web_sessions as s
        join people as p using (person_key)
        join marts.customer_journeys as j using (person_key)
        group by all order by all""",
    )


def landing_pages(con: duckdb.DuckDBPyConnection) -> Table:
    """Per landing page (the first page of a session): sessions, the people who landed there, and how many of them
    identified and converted."""
    return _sessions_by(con, "landing_page")


def devices(con: duckdb.DuckDBPyConnection) -> Table:
    """The same counts per device category (desktop, mobile, tablet, app)."""
    return _sessions_by(con, "device")


def visitor_exits(con: duckdb.DuckDBPyConnection) -> Table:
    """People who dropped off before becoming a lead (still in awareness or engagement), by the last page of their
    last web session and the stage they stopped at."""
    stages = ", ".join(f"'{s}'" for s in PRE_LEAD_STAGES)
    return read_table(
        con,
        f"""with {PEOPLE},
        last_sessions as (
            select person_key, exit_page_path,
                   row_number() over (partition by person_key order by started_at desc, session_id desc) as from_end
            from marts.fct_web_sessions
        )
        select p.persona, p.cohort, j.current_stage as stage,
               coalesce(l.exit_page_path, '{NO_PAGE}') as exit_page, count(*) as persons
        from marts.customer_journeys as j
        join people as p using (person_key)
        join last_sessions as l on l.person_key = j.person_key and l.from_end = 1
        where j.is_dropped_off and j.current_stage in ({stages})
        group by all order by all""",
    )
