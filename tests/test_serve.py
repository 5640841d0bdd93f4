"""The HTTP service (resolver/serve.py) on the shipped glossary: shapes, errors, auth, schema fuzzing, the page."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import warnings

import pytest

pytest.importorskip("fastapi", reason="the HTTP service needs the 'serve' extra: pip install 'kozh[serve]'")
pytest.importorskip("httpx", reason="fastapi's TestClient needs httpx: pip install 'kozh[serve]'")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from glossary.shipped import default_db_path
from resolver.serve import MAX_BODY, create_app, running

CATL = "宁德时代"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def app():
    return create_app(default_db_path())


@pytest.fixture(scope="module")
def client(app):
    return TestClient(app)


def _copy_db(tmp_path):
    """A consistent copy of the shipped glossary (its WAL included) that a test may write."""
    dst = tmp_path / "aliases.sqlite"
    src = sqlite3.connect(default_db_path().resolve().as_uri() + "?mode=ro", uri=True)
    out = sqlite3.connect(dst)
    try:
        src.backup(out)
    finally:
        src.close()
        out.close()
    return dst


# ---------------------------------------------------------------- read endpoints


def test_health(client):
    r = client.get("/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok" and r.json()["aliases"] > 0 and r.json()["writable"] is False


def test_get_resolve_shape(client):
    r = client.get("/resolve", params={"q": "닝더스다이"})
    assert r.status_code == 200
    body = r.json()
    assert list(body) == ["query", "match", "candidates"]
    assert body["query"] == "닝더스다이"
    assert body["match"]["zh"] == CATL
    assert set(body["match"]) == {"entity_id", "zh", "ko", "en", "alias", "method", "score", "why"}


def test_get_resolve_same_as_library(client):
    from resolver import Resolver, to_json

    expected = to_json("영덕시대", Resolver(default_db_path()).resolve("영덕시대", limit=3))
    assert client.get("/resolve", params={"q": "영덕시대", "limit": 3}).json() == expected


def test_unknown_name_has_null_match(client):
    body = client.get("/resolve", params={"q": "쿠르릉바바바쿵"}).json()
    assert body["match"] is None and isinstance(body["candidates"], list)


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}, {"q": "a\x00b"}, {"q": "x", "limit": 0},
                                    {"q": "x", "limit": "many"}, {"q": "x", "kind": "planet"}, {"q": "x" * 1001}])
def test_bad_query_is_a_clear_4xx(client, params):
    r = client.get("/resolve", params=params)
    assert r.status_code in (400, 422)
    assert r.json()["error"]


def test_post_resolve_keeps_input_order(client):
    names = ["CATL", "닝더스다이", "쿠르릉바바바쿵", CATL, "寧德時代"]
    r = client.post("/resolve", json={"names": names})
    assert r.status_code == 200
    body = r.json()
    assert [b["query"] for b in body] == names
    assert [b["match"]["zh"] if b["match"] else None for b in body] == [CATL, CATL, None, CATL, CATL]
    assert all(list(b) == ["query", "match", "candidates"] for b in body)


def test_post_resolve_limits(client):
    assert client.post("/resolve", json={"names": []}).json() == []
    assert client.post("/resolve", json={"names": ["x"] * 1001}).status_code == 422
    r = client.post("/resolve", json={"names": ["CATL", " "]})
    assert r.status_code == 400 and "names[1]" in r.json()["error"]
    assert client.post("/resolve", json={"name": "CATL"}).status_code == 422
    r = client.post("/resolve", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and "JSON" in r.json()["error"]


def test_oversized_body_is_413(client):
    big = b'{"names": ["' + b"x" * MAX_BODY + b'"]}'
    r = client.post("/resolve", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]

    def chunks():                       # no Content-Length: the middleware must count
        for _ in range(MAX_BODY // 65536 + 2):
            yield b"x" * 65536
    r = client.post("/resolve", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_entity(client):
    entity_id = client.get("/resolve", params={"q": CATL}).json()["match"]["entity_id"]
    r = client.get(f"/entity/{entity_id}")
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == entity_id and "redirected_from" not in body
    assert {"text": CATL, "lang": "zh-Hans"}.items() <= next(a for a in body["aliases"] if a["text"] == CATL).items()
    r = client.get("/entity/no-such-entity")
    assert r.status_code == 404 and "no-such-entity" in r.json()["error"]


def test_card(client):
    r = client.get("/card", params={"q": "닝더스다이"})
    assert r.status_code == 200
    card = r.json()
    assert card["zh"] == CATL and card["pinyin"] and card["match"]["zh"] == CATL
    assert client.get("/card", params={"q": "쿠르릉바바바쿵"}).status_code == 404


def test_openapi_has_response_models(client):
    schema = client.get("/openapi.json").json()
    ok = schema["paths"]["/resolve"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/ResolveOut"}
    assert {"ResolveOut", "MatchOut", "EntityOut", "CardOut", "ErrorOut"} <= set(schema["components"]["schemas"])


def test_page(client):
    r = client.get("/")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "autofocus" in r.text and "/card?q=" in r.text
    assert "http://" not in r.text and "https://" not in r.text     # self-contained: no external assets


# ---------------------------------------------------------------- the write endpoint


def test_write_refused_when_read_only(client):
    r = client.post("/entity/x/alias", json={"text": "닝더"}, headers={"Authorization": "Bearer t"})
    assert r.status_code == 403


def test_write_needs_a_token():
    from glossary.errors import KozhError

    with pytest.raises(KozhError):
        create_app(default_db_path(), allow_write=True)


def test_write_alias(tmp_path):
    db = _copy_db(tmp_path)
    client = TestClient(create_app(db, allow_write=True, token="s3cret"))
    entity_id = client.get("/resolve", params={"q": CATL}).json()["match"]["entity_id"]
    new = "닝더시대배터리"
    assert client.get("/resolve", params={"q": new}).json()["match"] is None
    url = f"/entity/{entity_id}/alias"
    body = {"text": new, "lang": "ko", "status": "admitted"}

    r = client.post(url, json=body)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert client.post(url, json=body, headers={"Authorization": "Basic s3cret"}).status_code == 401
    assert client.post(url, json=body, headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.post(url, json={**body, "lang": "fr"}, headers={"Authorization": "Bearer s3cret"}).status_code == 422

    r = client.post(url, json=body, headers={"Authorization": "Bearer s3cret"})
    assert r.status_code == 200, r.text
    assert any(a["text"] == new and a["status"] == "admitted" for a in r.json()["aliases"])
    match = client.get("/resolve", params={"q": new}).json()["match"]
    assert match and match["entity_id"] == entity_id and match["method"] == "exact"

    r = client.post("/entity/no-such-entity/alias", json=body, headers={"Authorization": "Bearer s3cret"})
    assert r.status_code == 400 and r.json()["error"]


# ---------------------------------------------------------------- schema-driven fuzzing


def test_schemathesis_no_server_errors(app):
    schemathesis = pytest.importorskip("schemathesis", reason="schema fuzzing needs schemathesis")
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6
    for operation in operations:
        @settings(max_examples=25, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            case.validate_response(case.call(), checks=[not_a_server_error])
        check()


# ---------------------------------------------------------------- the page in a real browser


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} not installed (apt-get install chromium)")
def test_page_in_headless_chromium(app, tmp_path):
    with running(app) as base:
        url = f"{base}/?q=닝더스다이"
        done = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
             f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=3000", "--dump-dom", url],
            capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert 'id="card"' in dom, dom[-2000:]
    assert CATL in dom and "níng dé shí dài" in dom
