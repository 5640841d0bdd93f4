"""The resolver over HTTP: `kozh serve` -> FastAPI app with the same JSON as `kozh resolve --json`.

Read-only unless started with allow_write and a token; then one curation call (add an alias) is open to
`Authorization: Bearer <token>`. Every failure answers JSON with an `error` message and a 4xx status:
a caller's bad name is their problem to fix, so it must never look like a server fault (5xx).

    from resolver.serve import create_app, serve
    serve("data/aliases.sqlite", port=8750)       # GET /resolve?q=닝더스다이
"""
from __future__ import annotations

import contextlib
import os
import secrets
import threading
from importlib.resources import files
from pathlib import Path
from typing import Iterator, Literal, Optional

from fastapi import FastAPI, Header, Path as PathParam, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from glossary.errors import KozhError

from .resolve import Resolver, to_json

MAX_BODY = 1_000_000          # bytes; a batch of 1000 long names fits well within it
MAX_NAMES = 1000
MAX_LIMIT = 50
DEFAULT_PORT = 8750

Kind = Literal["place", "org", "person", "product", "event", "doc", "term", "other"]
Lang = Literal["ko", "zh-Hans", "zh-Hant", "en", "pinyin"]
Status = Literal["preferred", "admitted", "deprecated"]


# ---------------------------------------------------------------- response and request models


class MatchOut(BaseModel):
    entity_id: str
    zh: Optional[str]
    ko: Optional[str]
    en: Optional[str]
    alias: str
    method: str
    score: float
    why: str


class ResolveOut(BaseModel):
    """One line of `kozh resolve --json`: the match (null below the threshold or on a tie) and the rest."""
    query: str
    match: Optional[MatchOut]
    candidates: list[MatchOut]


class ResolveIn(BaseModel):
    names: list[str] = Field(..., max_length=MAX_NAMES, description=f"Up to {MAX_NAMES} names, any spelling.")
    kind: Optional[Kind] = None
    limit: int = Field(5, ge=1, le=MAX_LIMIT)


class AliasOut(BaseModel):
    text: str
    lang: str
    status: str
    origin: str
    count: int


class EntityOut(BaseModel):
    id: str
    kind: Optional[str]
    ko: Optional[str]
    zh: Optional[str]
    en: Optional[str]
    aliases: list[AliasOut]
    redirected_from: Optional[str] = None


class SourceOut(BaseModel):
    file: str
    line: Optional[int]
    col: Optional[int]
    context: Optional[str]


class CardOut(EntityOut):
    """`kozh lookup --json`: the entity, how the name matched it, and where it was seen."""
    match: MatchOut
    zh_hant: Optional[str]
    pinyin: Optional[str]
    sources: list[SourceOut]
    in_glossary: bool = True


class TranslitOut(BaseModel):
    """`kozh translit --json`: Chinese or pinyin input gets ko/sino/pinyin/alternatives (pinyin input also zh
    candidates); Hangul input gets pinyin sequences and zh candidates."""
    query: str
    ko: Optional[str] = None
    sino: Optional[str] = None
    pinyin: str | list[str]
    alternatives: Optional[list[str]] = None
    zh: Optional[list[str]] = None
    why: str


class AliasIn(BaseModel):
    text: str = Field(..., min_length=1, max_length=1000)
    lang: Optional[Lang] = Field(None, description="Guessed from the script when omitted.")
    status: Status = "admitted"


class HealthOut(BaseModel):
    status: Literal["ok"]
    aliases: int
    writable: bool


class ErrorOut(BaseModel):
    error: str


_ERRORS = {400: {"model": ErrorOut, "description": "Bad name"},
           422: {"model": ErrorOut, "description": "Malformed request"}}


# ---------------------------------------------------------------- body size


class BodyLimit:
    """413 for a request body over `limit` bytes, whether announced by Content-Length or streamed."""

    def __init__(self, app, limit: int = MAX_BODY):
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > self.limit
            except ValueError:
                return await _send_json(send, 400, {"error": "invalid Content-Length header"})
            if too_big:
                return await _send_json(send, 413, {"error": f"request body over {self.limit} bytes"})
        # Buffer the body (at most `limit` bytes) so a chunked upload cannot get past the check.
        messages, size = [], 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.limit:
                return await _send_json(send, 413, {"error": f"request body over {self.limit} bytes"})
            if not message.get("more_body", False):
                break

        async def replay():
            return messages.pop(0) if messages else await receive()
        return await self.app(scope, replay, send)


async def _send_json(send, status: int, body: dict) -> None:
    response = JSONResponse(body, status_code=status)
    await send({"type": "http.response.start", "status": status, "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})


# ---------------------------------------------------------------- the app


class _State:
    """The open resolver; replaced whole after a write so readers never see a half-refreshed index."""

    def __init__(self, db_path: Path):
        self.db_path = db_path
        self.resolver = Resolver(db_path)
        self.write_lock = threading.Lock()

    def reload(self) -> None:
        self.resolver = Resolver(self.db_path)


def _page() -> str:
    return (files("resolver") / "static" / "lookup.html").read_text(encoding="utf-8")


def create_app(db_path: str | os.PathLike[str] | None = None, *, allow_write: bool = False,
               token: str | None = None) -> FastAPI:
    """The HTTP service over the glossary at db_path (default: the shipped one).

    allow_write opens POST /entity/{id}/alias to requests bearing `token` (required then)."""
    from glossary.shipped import default_db_path

    if allow_write and not token:
        raise KozhError("a write-enabled server needs a token (callers send Authorization: Bearer <token>)")
    path = Path(db_path) if db_path is not None else default_db_path()
    state = _State(path)
    page = _page()

    app = FastAPI(title="kozh", summary="Korean-Chinese entity glossary: resolve any spelling of a name.",
                  version=_version())
    app.add_middleware(BodyLimit, limit=MAX_BODY)
    app.state.kozh = state

    @app.exception_handler(KozhError)
    async def kozh_error(request: Request, exc: KozhError):
        return JSONResponse({"error": str(exc)}, status_code=400)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        # loc and msg only: echoing the input could mean echoing a megabyte or undecodable bytes
        parts = []
        for err in exc.errors():
            if err.get("type") == "json_invalid":
                parts.append(f"the body is not valid JSON ({err.get('ctx', {}).get('error', 'cannot parse')})")
                continue
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
            parts.append(f"{where}: {err.get('msg', 'invalid')}")
        return JSONResponse({"error": "; ".join(parts) or "invalid request"}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    @app.get("/", include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse(page)

    @app.get("/health", response_model=HealthOut)
    def health():
        return {"status": "ok", "aliases": len(state.resolver.index), "writable": allow_write}

    @app.get("/resolve", response_model=ResolveOut, responses=_ERRORS)
    def resolve_one(q: str = Query(..., max_length=1000, description="A name, any spelling."),
                    kind: Optional[Kind] = None, limit: int = Query(5, ge=1, le=MAX_LIMIT)):
        """Same object as one line of `kozh resolve --json`."""
        return to_json(q, state.resolver.resolve(q, kind=kind, limit=limit))

    @app.post("/resolve", response_model=list[ResolveOut], responses=_ERRORS)
    def resolve_many(body: ResolveIn):
        """One object per name, in input order. A bad name fails the whole batch (400, with its position)."""
        resolver = state.resolver
        out = []
        for i, name in enumerate(body.names):
            try:
                out.append(to_json(name, resolver.resolve(name, kind=body.kind, limit=body.limit)))
            except KozhError as e:
                raise KozhError(f"names[{i}]: {e}") from None
        return out

    @app.get("/entity/{entity_id}", response_model=EntityOut, response_model_exclude_unset=True,
             responses={404: {"model": ErrorOut}})
    def entity(entity_id: str = PathParam(..., max_length=200)):
        """The entity with all its forms; a merged-away id answers with the live entity."""
        found = state.resolver.entity(entity_id)
        if found is None:
            return JSONResponse({"error": f"no entity {entity_id!r}"}, status_code=404)
        return found

    @app.get("/card", response_model=CardOut, responses={**_ERRORS, 404: {"model": ErrorOut}})
    def card(q: str = Query(..., max_length=1000, description="A name, any spelling.")):
        """`kozh lookup --json`: the card of the entity q resolves to with confidence; 404 if none."""
        from .lookup import lookup

        found = lookup(q, db=state.db_path)
        if found is None or not found["in_glossary"]:
            body = {"error": f"no confident match for {q.strip()!r}"}
            if found is not None:
                body["rendering"] = found["rendering"]  # the standard Korean form of a name in no entity
            return JSONResponse(body, status_code=404)
        return found

    @app.get("/translit", response_model=TranslitOut, response_model_exclude_none=True, responses=_ERRORS)
    def translit(q: str = Query(..., max_length=1000, description="A Chinese, Hangul or pinyin name.")):
        """Same object as one line of `kozh translit --json`."""
        from glossary.translit import translit as render

        return render(q, resolver=state.resolver)

    @app.post("/entity/{entity_id}/alias", response_model=EntityOut, response_model_exclude_unset=True,
              responses={**_ERRORS, 401: {"model": ErrorOut}, 403: {"model": ErrorOut}})
    def alias_add(body: AliasIn, entity_id: str = PathParam(..., max_length=200),
                  authorization: Optional[str] = Header(None)):
        """Give the entity another form (curation log, keys refreshed). Needs a write-enabled server and its
        token."""
        from glossary import curation

        if not allow_write:
            return JSONResponse({"error": "this server is read-only (start it with writes allowed)"},
                                status_code=403)
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            return JSONResponse({"error": "missing bearer token"}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
        if not secrets.compare_digest(given.strip().encode(), token.encode()):
            return JSONResponse({"error": "wrong token"}, status_code=403)
        with state.write_lock:
            live = curation.alias_add(state.db_path, entity_id, body.text, body.lang, body.status)  # keys too
            state.reload()
        return state.resolver.entity(live)

    return app


def _version() -> str:
    try:
        from importlib.metadata import version
        return version("kozh")
    except Exception:
        return "0"


@contextlib.contextmanager
def running(app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Run app with uvicorn in a background thread (port 0: a free one); yields its base URL, then stops it.
    For tests and benchmarks."""
    import socket
    import time

    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.02)
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def serve(db_path: str | os.PathLike[str] | None = None, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
          allow_write: bool = False, token: str | None = None) -> None:
    """Run the app with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(create_app(db_path, allow_write=allow_write, token=token), host=host, port=port,
                log_level="info")
