"""Read a sync's source rows from the warehouse (portable SQL: the same query runs on DuckDB and PostgreSQL)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from reverse_etl.config import SyncDefinition
from reverse_etl.models import SourceRow

_IDENTITY = ("__key", "__email", "__object_id", "__archived", "__anonymous")


def source_query(sync: SyncDefinition) -> tuple[sa.TextClause, dict[str, str]]:
    """Every identifier comes from the validated definition (plain identifiers only); the segment is a bind value."""
    src = sync.source
    columns = [m.column for m in sync.mappings]
    selected = "".join(f", m.{c}" for c in dict.fromkeys(columns))
    archived = f"p.{src.archived_column}" if src.archived_column else "false"
    anonymous = f"coalesce(p.{src.anonymous_column}, false)" if src.anonymous_column else "false"
    sql = (
        f"select m.{src.key} as __key, p.{src.email_column} as __email, p.{src.object_id_column} as __object_id, "
        f"{archived} as __archived, {anonymous} as __anonymous{selected} from {src.schema_}.{src.model} m "
        f"left join {src.schema_}.{src.identity_model} p on p.{src.key} = m.{src.key}"
    )
    params: dict[str, str] = {}
    if src.segment:
        sql += " where m.segment_name = :segment"
        params["segment"] = src.segment
    return sa.text(sql + f" order by m.{src.key}"), params


def read_source(conn: Connection, sync: SyncDefinition) -> list[SourceRow]:
    query, params = source_query(sync)
    out: list[SourceRow] = []
    for r in conn.execute(query, params).mappings():
        values = {k: v for k, v in r.items() if k not in _IDENTITY}
        out.append(
            SourceRow(
                key=r["__key"],
                email=r["__email"],
                object_id=r["__object_id"],
                values=values,
                archived=bool(r["__archived"]),
                anonymous=bool(r["__anonymous"]),
            )
        )
    return out
