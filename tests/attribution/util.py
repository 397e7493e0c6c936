"""Small builders for hand-written attribution fixtures: times are days after 2024-01-01."""

from __future__ import annotations

import numpy as np

from attribution import AttributionConfig, AttributionResult, Conversions, Touches, attribute

EPOCH = np.datetime64("2024-01-01T00:00:00", "us")
DAY = np.timedelta64(86_400_000_000, "us")


def at(days: float) -> np.datetime64:
    return EPOCH + np.timedelta64(round(days * 86_400_000_000), "us")


def touches(rows: list[tuple]) -> Touches:
    """rows: (person, touch_id, day, channel[, flags]) with flags a string holding any of 'd' (direct), 'l' (lead),
    'o' (opportunity)."""
    flags = [r[4] if len(r) > 4 else "" for r in rows]
    return Touches(
        person_key=np.array([r[0] for r in rows], dtype=object),
        touch_id=np.array([r[1] for r in rows], dtype=object),
        occurred_at=np.array([at(r[2]) for r in rows], dtype="datetime64[us]"),
        channel=np.array([r[3] for r in rows], dtype=object),
        is_direct=np.array(["d" in f for f in flags]),
        is_lead_creation=np.array(["l" in f for f in flags]),
        is_opportunity_creation=np.array(["o" in f for f in flags]),
    )


def conversions(rows: list[tuple]) -> Conversions:
    """rows: (conversion_id, person, day, revenue[, type[, currency]])."""
    return Conversions(
        conversion_id=np.array([r[0] for r in rows], dtype=object),
        person_key=np.array([r[1] for r in rows], dtype=object),
        converted_at=np.array([at(r[2]) for r in rows], dtype="datetime64[us]"),
        revenue=np.array([r[3] for r in rows], dtype=float),
        conversion_type=np.array([r[4] if len(r) > 4 else "purchase" for r in rows], dtype=object),
        currency=np.array([r[5] if len(r) > 5 else "EUR" for r in rows], dtype=object),
    )


def credit_map(result: AttributionResult, model: str) -> dict[tuple, float]:
    """{(conversion_id, touch_id or None): credit} of one model."""
    rows = result.rows(model)
    tids = rows["touch_id"]
    mask = np.ma.getmaskarray(tids)
    out: dict[tuple, float] = {}
    for cid, tid, m, credit in zip(rows["conversion_id"], np.ma.getdata(tids), mask, rows["credit"], strict=True):
        out[(cid, None if m else tid)] = out.get((cid, None if m else tid), 0.0) + float(credit)
    return out


def run(touch_rows: list[tuple], conversion_rows: list[tuple], **config) -> AttributionResult:
    return attribute(touches(touch_rows), conversions(conversion_rows), AttributionConfig(**config))


def random_dataset(seed: int, n_people: int = 40, n_channels: int = 5, max_touches: int = 12):
    """Random touches and conversions with ties, repeats, several conversion types, NaN and zero revenue."""
    rng = np.random.default_rng(seed)
    t_rows, c_rows = [], []
    tid = 0
    for p in range(n_people):
        for _ in range(int(rng.integers(0, max_touches + 1))):
            day = float(rng.integers(0, 60)) if rng.random() < 0.3 else float(rng.uniform(0, 60))
            flags = "".join(f for f, pr in (("d", 0.1), ("l", 0.1), ("o", 0.05)) if rng.random() < pr)
            ch = ["direct", "email", "search", "social", "display", "sms", "video"][int(rng.integers(0, n_channels))]
            t_rows.append((f"p{p}", f"t{tid}", day, ch, flags))
            tid += 1
        for k in range(int(rng.integers(0, 4))):
            day = float(rng.integers(0, 70)) if rng.random() < 0.3 else float(rng.uniform(0, 70))
            rev = float(rng.choice([0.0, np.nan, rng.uniform(1, 500)]))
            ctype = "purchase" if rng.random() < 0.7 else "signup"
            c_rows.append((f"c{p}_{k}", f"p{p}", day, rev, ctype, "EUR" if rng.random() < 0.8 else "USD"))
    c_rows.append(("c_nobody", "p_nobody", 10.0, 42.0, "purchase"))
    return t_rows, c_rows
