"""The sandbox's Trustpilot and Google Business Profile servers against the vendors' documented examples: the token
answer, the private review and the Google review objects (field names and types of the JSON representations),
paging and its limits, the error bodies, the rate limits, and the clock (only what exists at the world clock)."""

from __future__ import annotations

import base64
import re

import pytest
import requests

from sandbox.testing import run_sandbox
from sandbox.world import World, WorldConfig
from sandbox.world.voice.reviews import GOOGLE_ACCOUNT_ID, LOCATIONS

# https://developers.trustpilot.com/business-units-api (private reviews) and the client-credentials page.
TRUSTPILOT_REVIEW_FIELDS = {
    "id": str,
    "stars": int,
    "title": str,
    "text": str,
    "language": str,
    "createdAt": str,
    "consumer": dict,
    "referralEmail": str,
    "businessUnit": dict,
    "links": list,
}
# https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews#Review
GOOGLE_REVIEW_FIELDS = {"name": str, "reviewId": str, "reviewer": dict, "starRating": str, "createTime": str}
GOOGLE_OPTIONAL = {"comment": str, "updateTime": str, "reviewReply": dict}
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


@pytest.fixture(scope="module")
def sb():
    world = World(WorldConfig(seed=5, people=300, days=60))
    with run_sandbox(world, vendors=("trustpilot", "google_business"), segment_export=False) as handle:
        yield handle


def _token(sb) -> str:
    env = sb.env()
    basic = base64.b64encode(f"{env['TRUSTPILOT_CLIENT_ID']}:{env['TRUSTPILOT_CLIENT_SECRET']}".encode()).decode()
    resp = requests.post(
        env["TRUSTPILOT_BASE_URL"] + "/v1/oauth/oauth-business-users-for-applications/accesstoken",
        headers={"Authorization": f"Basic {basic}"},
        data={"grant_type": "client_credentials"},
        timeout=10,
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    # documented: {access_token, expires_in (a string of seconds)}; client credentials get no refresh token
    assert isinstance(body["access_token"], str) and body["expires_in"].isdigit() and "refresh_token" not in body
    return body["access_token"]


def _reviews_url(sb) -> str:
    env = sb.env()
    return f"{env['TRUSTPILOT_BASE_URL']}/v1/private/business-units/{env['TRUSTPILOT_BUSINESS_UNIT_ID']}/reviews"


def test_trustpilot_reviews_have_the_documented_shape_and_page_from_one(sb) -> None:
    auth = {"Authorization": f"Bearer {_token(sb)}"}
    everything = requests.get(_reviews_url(sb), headers=auth, params={"perPage": 100}, timeout=10).json()
    reviews = everything["reviews"]
    assert reviews and isinstance(everything["links"], list)
    for r in reviews:
        for field, kind in TRUSTPILOT_REVIEW_FIELDS.items():
            assert isinstance(r[field], kind), (field, r[field])
        assert 1 <= r["stars"] <= 5 and RFC3339.match(r["createdAt"])
        assert r["updatedAt"] is None or r["updatedAt"] > r["createdAt"]
        assert {"id", "displayName"} <= set(r["consumer"])
    # default order createdat.desc; asc pages from 1, an empty list past the last page
    created = [r["createdAt"] for r in reviews]
    assert created == sorted(created, reverse=True)
    pages, page = [], 1
    while True:
        got = requests.get(
            _reviews_url(sb), headers=auth, params={"page": page, "perPage": 4, "orderBy": "createdat.asc"}, timeout=10
        ).json()["reviews"]
        if not got:
            break
        pages += got
        page += 1
    assert [r["id"] for r in pages] == [r["id"] for r in reversed(reviews)]
    # startDateTime / endDateTime filter the creation time; referralEmail and referenceId filter exactly
    middle = sorted(created)[len(created) // 2][:19]
    later = requests.get(_reviews_url(sb), headers=auth, params={"startDateTime": middle}, timeout=10).json()
    assert later["reviews"] and all(r["createdAt"][:19] >= middle for r in later["reviews"])
    some = next(r for r in reviews if r["referenceId"])
    one = requests.get(_reviews_url(sb), headers=auth, params={"referenceId": some["referenceId"]}, timeout=10)
    assert [r["id"] for r in one.json()["reviews"]] == [some["id"]]


def test_trustpilot_errors_and_limits(sb) -> None:
    auth = {"Authorization": f"Bearer {_token(sb)}"}
    too_big = requests.get(_reviews_url(sb), headers=auth, params={"perPage": 101}, timeout=10)
    assert too_big.status_code == 400 and "perPage" in too_big.json()["details"]
    bad_order = requests.get(_reviews_url(sb), headers=auth, params={"orderBy": "updatedat.asc"}, timeout=10)
    assert bad_order.status_code == 400
    no_token = requests.get(_reviews_url(sb), timeout=10)
    assert no_token.status_code == 401 and no_token.json()["fault"]["detail"]["errorcode"]
    wrong = requests.post(
        sb.env()["TRUSTPILOT_BASE_URL"] + "/v1/oauth/oauth-business-users-for-applications/accesstoken",
        auth=("nobody", "nothing"),
        data={"grant_type": "client_credentials"},
        timeout=10,
    )
    assert wrong.status_code == 401 and "fault" in wrong.json()
    other_unit = _reviews_url(sb).replace(sb.env()["TRUSTPILOT_BUSINESS_UNIT_ID"], "0" * 24)
    assert requests.get(other_unit, headers=auth, timeout=10).status_code == 403
    app = sb.trustpilot.app
    app.calls_per_window, saved = 2, app.calls_per_window
    try:
        statuses = [requests.get(_reviews_url(sb), headers=auth, timeout=10) for _ in range(4)]
    finally:
        app.calls_per_window = saved
        app._calls.clear()
    limited = [r for r in statuses if r.status_code == 429]
    assert limited and all(int(r.headers["Retry-After"]) >= 1 for r in limited)


def _google(sb, path: str, **params):
    env = sb.env()
    headers = {"Authorization": f"Bearer {env['GOOGLE_BUSINESS_TOKEN']}"}
    return requests.get(env["GOOGLE_BUSINESS_BASE_URL"] + path, headers=headers, params=params, timeout=10)


def test_google_locations_and_reviews_have_the_documented_shape(sb) -> None:
    locs = _google(sb, f"/v1/accounts/{GOOGLE_ACCOUNT_ID}/locations", readMask="name,title", pageSize=3).json()
    assert len(locs["locations"]) == 3 and locs["nextPageToken"] and locs["totalSize"] == len(LOCATIONS)
    rest = _google(
        sb, f"/v1/accounts/{GOOGLE_ACCOUNT_ID}/locations", readMask="name", pageToken=locs["nextPageToken"]
    ).json()
    names = [loc["name"] for loc in locs["locations"] + rest["locations"]]
    assert names == [f"locations/{loc}" for loc, *_ in LOCATIONS] and "nextPageToken" not in rest
    for loc, *_ in LOCATIONS:
        path = f"/v4/accounts/{GOOGLE_ACCOUNT_ID}/locations/{loc}/reviews"
        body = _google(sb, path).json()
        reviews = body["reviews"]
        assert body["totalReviewCount"] == len(reviews) and 1 <= body["averageRating"] <= 5
        for r in reviews:
            for field, kind in GOOGLE_REVIEW_FIELDS.items():
                assert isinstance(r[field], kind), (field, r)
            for field, kind in GOOGLE_OPTIONAL.items():
                assert field not in r or isinstance(r[field], kind), (field, r)
            assert r["name"] == f"accounts/{GOOGLE_ACCOUNT_ID}/locations/{loc}/reviews/{r['reviewId']}"
            assert r["starRating"] in ("ONE", "TWO", "THREE", "FOUR", "FIVE") and "displayName" in r["reviewer"]
            assert RFC3339.match(r["createTime"]) and r["updateTime"] >= r["createTime"]
            assert "email" not in str(r).lower(), "Google reviews name no person"
        # default order updateTime desc; pageSize <= 50 with nextPageToken
        times = [r["updateTime"] for r in reviews]
        assert times == sorted(times, reverse=True)
        first = _google(sb, path, pageSize=2).json()
        if len(reviews) > 2:
            second = _google(sb, path, pageSize=2, pageToken=first["nextPageToken"]).json()
            assert [r["reviewId"] for r in first["reviews"] + second["reviews"]] == [r["reviewId"] for r in reviews[:4]]
    assert any("reviewReply" in r for loc, *_ in LOCATIONS for r in _google(sb, _path(loc)).json()["reviews"])


def _path(loc: str) -> str:
    return f"/v4/accounts/{GOOGLE_ACCOUNT_ID}/locations/{loc}/reviews"


def test_google_errors_and_quota(sb) -> None:
    loc = LOCATIONS[0][0]
    for resp, status in (
        (_google(sb, _path(loc), pageSize=51), 400),
        (_google(sb, _path(loc), orderBy="createTime"), 400),
        (_google(sb, _path(loc), pageToken="garbage!"), 400),
        (_google(sb, _path("999")), 404),
        (_google(sb, f"/v1/accounts/{GOOGLE_ACCOUNT_ID}/locations"), 400),  # readMask is required
        (requests.get(sb.env()["GOOGLE_BUSINESS_BASE_URL"] + _path(loc), timeout=10), 401),
    ):
        err = resp.json()["error"]
        assert resp.status_code == status and err["code"] == status and err["message"] and err["status"], err
    app = sb.google_business.app
    app.per_minute, saved = 1, app.per_minute
    try:
        responses = [_google(sb, _path(loc)) for _ in range(3)]
    finally:
        app.per_minute = saved
        app._calls.clear()
    limited = [r for r in responses if r.status_code == 429]
    assert limited and all(r.json()["error"]["status"] == "RESOURCE_EXHAUSTED" for r in limited)


def test_reviews_follow_the_world_clock() -> None:
    world = World(WorldConfig(seed=7, people=300, days=60))  # a world with revisions in the next 20 days
    with run_sandbox(world, vendors=("trustpilot", "google_business"), segment_export=False) as sb:
        auth = {"Authorization": f"Bearer {_token(sb)}"}
        before = requests.get(_reviews_url(sb), headers=auth, params={"perPage": 100}, timeout=10).json()["reviews"]
        google_before = sum(_google(sb, _path(loc)).json()["totalReviewCount"] for loc, *_ in LOCATIONS)
        clock = sb.env()["JOURNEYHUB_TODAY"]
        sb.advance(days=20)
        after = requests.get(_reviews_url(sb), headers=auth, params={"perPage": 100}, timeout=10).json()["reviews"]
        google_after = sum(_google(sb, _path(loc)).json()["totalReviewCount"] for loc, *_ in LOCATIONS)
    assert all(r["createdAt"][:10] <= clock for r in before)
    assert len(after) > len(before) and google_after > google_before
    old = {r["id"]: r for r in before}
    revised = [r for r in after if r["id"] in old and r["updatedAt"] and not old[r["id"]]["updatedAt"]]
    assert revised and all(r["updatedAt"] > r["createdAt"] for r in revised)
    # deterministic from the seed: a second world serves the same reviews
    again = World(WorldConfig(seed=7, people=300, days=60))
    with run_sandbox(again, vendors=("trustpilot",), segment_export=False) as sb2:
        auth2 = {"Authorization": f"Bearer {_token(sb2)}"}
        same = requests.get(_reviews_url(sb2), headers=auth2, params={"perPage": 100}, timeout=10).json()["reviews"]
    assert same == before
