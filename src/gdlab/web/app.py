"""The JSON API behind the browser playground (FastAPI): the application and what wraps
every request.

Everything a request carries is untrusted: formulas go through the same whitelist parser as
the CLI, every number is checked, and every size is bounded (:mod:`gdlab.web.limits`: the
request body, starts, optimizers, steps, grid sizes, the work of one request); every
computation has a time budget (past it the request is answered 503) and at most
:data:`~gdlab.web.limits.CONCURRENT` run at once. Bad input is a 400 (or 413, 422) with a
one-line ``detail``; the server never evaluates text as code and never dies on bad input.

The endpoints live in routers per area (:mod:`gdlab.web.routes`), their models in
:mod:`gdlab.web.schemas`. Run it with ``gdlab serve``; the API is documented at ``/docs``.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import re

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from .. import __version__, i18n
from ..errors import GdlabError, TimeBudgetError
from .compute import Compute
from .limits import (BODY_TIMEOUT, CONCURRENT, MAX_BODY, MAX_HEADERS, MAX_WORK, QUEUE_SECONDS,
                     TIME_BUDGET)
from .routes import calculus, meta, runs, studies
from .transport import HEADERS_TOO_LARGE

__all__ = ["create_app", "MAX_BODY", "MAX_WORK", "TIME_BUDGET"]


async def refuse(send, status: int, detail: str) -> None:
    """Answer a request from an ASGI middleware with ``{"detail": ...}`` and close."""
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """ASGI middleware: refuse headers over ``header_limit`` bytes in all (each line as sent:
    name, value, ``": "`` and the line end) with 431, a body over ``limit`` bytes with 413,
    whether the client announces its length or streams it in chunks, and a body that takes
    longer than ``timeout`` seconds to arrive with 408."""

    def __init__(self, app, limit: int, header_limit: int = MAX_HEADERS,
                 timeout: float = BODY_TIMEOUT):
        self.app = app
        self.limit = limit
        self.header_limit = header_limit
        self.timeout = timeout

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = scope.get("headers") or []
        if sum(len(k) + len(v) + 4 for k, v in headers) > self.header_limit:
            return await refuse(send, 431, HEADERS_TOO_LARGE.format(self.header_limit))
        length = dict(headers).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            return await refuse(send, 413, f"request body larger than {self.limit} bytes")
        seen, deadline = 0, None

        async def limited():
            nonlocal seen, deadline
            loop = asyncio.get_running_loop()
            deadline = deadline or loop.time() + self.timeout  # the whole body, from its start
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
            except asyncio.TimeoutError:
                raise HTTPException(408, "the request body did not arrive within "
                                         f"{self.timeout:g} s",
                                    headers={"connection": "close"}) from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise HTTPException(413, f"request body larger than {self.limit} bytes")
            return message

        await self.app(scope, limited, send)


class HostCheck:
    """ASGI middleware: answer only requests whose Host header names one of ``allowed`` (a
    loopback server: its loopback names — the guard against DNS rebinding); others get 400
    with a JSON ``detail``."""

    def __init__(self, app, allowed):
        self.app, self.allowed = app, frozenset(allowed)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
            name = host.rsplit(":", 1)[0] if not host.startswith("[") else host
            if name not in self.allowed:
                return await refuse(send, 400, f"this server answers only to "
                                               f"{', '.join(sorted(self.allowed))}, not to the "
                                               f"host {name[:100]!r}")
        await self.app(scope, receive, send)


def as_openapi_30(node):
    """An OpenAPI 3.1 schema (what pydantic 2 writes) in OpenAPI 3.0's keywords: a ``null``
    alternative becomes ``nullable``, a numeric ``exclusiveMinimum``/``exclusiveMaximum`` a
    bound with the boolean flag, ``const`` a one-value ``enum``, ``examples`` one ``example``."""
    if isinstance(node, list):
        return [as_openapi_30(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: as_openapi_30(value) for key, value in node.items()}
    for key, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(node.get(key), (int, float)) and not isinstance(node[key], bool):
            node[bound], node[key] = node[key], True
    if "const" in node:
        node["enum"] = [node.pop("const")]
    if isinstance(node.get("examples"), list) and "properties" not in node:
        examples = node.pop("examples")
        if examples:
            node["example"] = examples[0]
    if isinstance(node.get("type"), list):
        kinds = [t for t in node["type"] if t != "null"]
        node["nullable"] = len(kinds) < len(node["type"])
        node["type"] = kinds[0] if kinds else "string"
    for combiner in ("anyOf", "oneOf"):
        options = node.get(combiner)
        if isinstance(options, list) and {"type": "null"} in options:
            rest = [o for o in options if o != {"type": "null"}]
            del node[combiner]
            if len(rest) == 1 and "$ref" not in rest[0]:
                node = {**rest[0], **node}
            else:
                node[combiner] = rest
            node["nullable"] = True
    return node


def _warm() -> None:
    """Compile what every child process would otherwise compile again (trusted work: the
    library's 2-D functions, which typed formulas are matched against), before any fork; and
    cut the page's Hangul font (the first page load would wait for it)."""
    from ..calculus import resolve

    resolve("x").prepare()
    resolve("x + y").prepare()
    _warm_kernels()
    hangul_css()


def _warm_kernels() -> None:
    """numba loaded and its machinery started once (its fork-safe threading layer: see
    gdlab.compiled.numba_environment), and the kernels of the page's default maps, so a
    worker that runs a map on the compiled engine loads little of its own."""
    import numpy as np

    from .. import compiled
    from ..engine import run

    compiled.numba_environment(fork_safe=True)  # workers are forked from this process
    if not compiled.available():
        return
    for name in ("gd", "adam"):
        run("himmelblau", np.zeros((2, 2)), name, max_steps=2, record="none",
            backend="compiled")


def _offline_docs(app: FastAPI) -> None:
    """The OpenAPI page at /docs with Swagger UI served from the installed package (FastAPI's
    default loads it from a CDN, which an offline machine cannot reach)."""
    import swagger_ui_bundle
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.staticfiles import StaticFiles

    app.mount("/static/swagger", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
              name="swagger")
    # the packaged Swagger UI (4.x) reads OpenAPI 3.0 documents, not FastAPI's default 3.1:
    # the document is declared 3.0.3 and written in 3.0's keywords (a valid 3.0 document)
    app.openapi_version = "3.0.3"
    generate = app.openapi

    def openapi():
        if app.openapi_schema is None:
            app.openapi_schema = as_openapi_30(generate())
        return app.openapi_schema

    app.openapi = openapi

    @app.get("/docs", include_in_schema=False)
    async def docs():
        return get_swagger_ui_html(openapi_url=app.openapi_url, title="gdlab API",
                                   swagger_js_url="/static/swagger/swagger-ui-bundle.js",
                                   swagger_css_url="/static/swagger/swagger-ui.css",
                                   swagger_favicon_url="/static/swagger/favicon-32x32.png")


@functools.cache
def hangul_css() -> bytes:
    """``@font-face`` rules embedding NanumGothic cut to the letters the Korean catalogue uses
    beyond ASCII (every Hangul syllable the page can show; :func:`gdlab.fonts.hangul_face`),
    made once per process. This machine may have no font with Hangul; the page names
    NanumGothic first for those letters alone (its unicode-range), the system's fonts draw
    the rest."""
    from ..fonts import hangul_face

    forms = [form for value in i18n.catalogue("ko").values()
             for form in (value.values() if isinstance(value, dict) else [value])]
    letters = {c for c in "".join(forms) + "".join(i18n.LANGUAGES.values()) if ord(c) > 127}
    return hangul_face("".join(sorted(letters))).encode("utf-8")


@functools.lru_cache(maxsize=2)
def _gzipped(path: str) -> bytes:
    import gzip
    from pathlib import Path

    return gzip.compress(Path(path).read_bytes(), compresslevel=6, mtime=0)


@functools.lru_cache(maxsize=1)
def _gzip_css(css: bytes) -> bytes:
    import gzip

    return gzip.compress(css, compresslevel=6, mtime=0)


_WORDS = re.compile(r'(<[^>]*\bdata-i18n="([\w.]+)"[^>]*>)[^<]*(<)')
_ATTRS = re.compile(r'<[^>]*\bdata-i18n-attr="([^"]+)"[^>]*>')


@functools.lru_cache(maxsize=len(i18n.LANGUAGES))
def localized_index(lang: str) -> str:
    """The page in ``lang``: static/index.html names its words by their catalogue keys
    (``data-i18n``, ``data-i18n-attr``) and carries none of its own, so it is served with
    them filled in — the page then reads right before its script runs, and no word of it is
    written twice."""
    import html
    from pathlib import Path

    page = (Path(__file__).with_name("static") / "index.html").read_text("utf-8")

    def words(m):
        return m.group(1) + html.escape(i18n.text(m.group(2), lang), quote=False) + m.group(3)

    def attrs(m):
        tag = m.group(0)
        for pair in m.group(1).split():
            name, key = pair.split(":")
            value = html.escape(i18n.text(key, lang), quote=True)
            tag = re.sub(rf'(\s{name}=")[^"]*(")', lambda t: t.group(1) + value + t.group(2),
                         tag, count=1)
        return tag

    page = page.replace('<html lang="en">', f'<html lang="{lang}">', 1)
    return _ATTRS.sub(attrs, _WORDS.sub(words, page))


def _page(app: FastAPI) -> None:
    """The playground page, its script and style, its Hangul font (``/fonts/hangul.css``) and
    plotly.js from the installed plotly package (no CDN)."""
    from pathlib import Path

    import plotly
    from fastapi.responses import FileResponse
    from fastapi.staticfiles import StaticFiles

    static = Path(__file__).with_name("static")
    plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

    @app.get("/", include_in_schema=False)
    async def index(lang: str = i18n.DEFAULT_LANGUAGE):
        from fastapi.responses import HTMLResponse

        lang = lang if lang in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE  # as the page does
        return HTMLResponse(localized_index(lang))

    @app.get("/static/plotly.min.js", include_in_schema=False)
    async def plotly_bundle(request: Request):
        # 4.8 MB as shipped, ~1.4 MB gzipped: compressed once (off the event loop), kept
        if "gzip" not in request.headers.get("accept-encoding", ""):
            return FileResponse(plotly_js, media_type="application/javascript")
        from fastapi.concurrency import run_in_threadpool
        from fastapi.responses import Response

        return Response(await run_in_threadpool(_gzipped, str(plotly_js)),
                        media_type="application/javascript",
                        headers={"content-encoding": "gzip", "vary": "accept-encoding",
                                 "cache-control": "max-age=86400"})

    @app.get("/fonts/hangul.css", include_in_schema=False)
    async def hangul_font(request: Request):
        from fastapi.concurrency import run_in_threadpool
        from fastapi.responses import Response

        css = await run_in_threadpool(hangul_css)  # ~0.5 s the first time (warmed by serve)
        tag = f'"{hashlib.sha1(css).hexdigest()[:16]}"'
        headers = {"etag": tag, "cache-control": "no-cache", "vary": "accept-encoding"}
        if request.headers.get("if-none-match") == tag:
            return Response(status_code=304, headers=headers)
        if "gzip" in request.headers.get("accept-encoding", ""):
            body = await run_in_threadpool(_gzip_css, css)
            return Response(body, media_type="text/css", headers={**headers,
                                                                  "content-encoding": "gzip"})
        return Response(css, media_type="text/css", headers=headers)

    app.mount("/static", StaticFiles(directory=static), name="static")


def create_app(allowed_hosts=None, isolate: bool = False) -> FastAPI:
    """The FastAPI application: middleware, error handlers, the page, the docs, the routers.
    ``allowed_hosts``: the Host header names to answer (others get 400), or ``None`` for any;
    ``gdlab serve`` on a loopback address passes its loopback names. ``isolate``: every
    computation in a forked child process with hard limits (``gdlab serve`` sets it)."""
    app = FastAPI(title="gdlab", version=__version__, docs_url=None, redoc_url=None,
                  description="Gradient-descent laboratory: derivatives, runs, diagnoses.")
    app.add_middleware(BodyLimit, limit=MAX_BODY)
    if allowed_hosts is not None:
        app.add_middleware(HostCheck, allowed=allowed_hosts)
    app.state.compute = Compute(CONCURRENT, QUEUE_SECONDS, TIME_BUDGET, isolate=isolate)
    if isolate:
        _warm()
        app.router.on_shutdown.append(app.state.compute.kill_all)
    _offline_docs(app)

    @app.exception_handler(GdlabError)
    async def bad_input(_request: Request, exc: GdlabError):
        status = 503 if isinstance(exc, TimeBudgetError) else 400
        return JSONResponse({"detail": " ".join(str(exc).split())}, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError):
        """422 with one line to show (``detail``) and the errors without their inputs (which
        may be NaN or a lone surrogate, not serialisable)."""
        errors = [{"loc": [str(p) for p in e.get("loc", ())],
                   "msg": str(e.get("msg", "")).removeprefix("Value error, "),
                   "type": str(e.get("type", ""))} for e in exc.errors()]
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        where = ".".join(p for p in first["loc"] if p != "body")
        line = f"{where}: {first['msg']}" if where else first["msg"]
        return JSONResponse({"detail": " ".join(line.encode("utf-8", "replace").decode()
                                                .split()), "errors": errors}, status_code=422)

    @app.exception_handler(Exception)
    async def internal(_request: Request, exc: Exception):  # never a traceback to the client
        return JSONResponse({"detail": f"internal error ({type(exc).__name__})"},
                            status_code=500)

    _page(app)
    for area in (meta, calculus, runs, studies):
        app.include_router(area.router)
    return app
