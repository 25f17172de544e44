"""The Starlette app of `grader serve`: pages, a small JSON API, the access token and security headers."""
from __future__ import annotations

import json
import re
import secrets
from pathlib import Path

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from grader.report.text import fmt_points
from grader.run import REFERENCE_FIGURES
from grader.web import analytics, render
from grader.web.regrade import Regrader
from grader.web.views import question_view, student_view
from grader.web.workbench import NotFound, Workbench

HERE = Path(__file__).parent
COOKIE = "grader_token"
#: no inline script or style anywhere; student content is sanitised, and this makes a slip harmless
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
_FIGURE = re.compile(r"^figure_\d{2,3}\.png$")


class TokenGate:
    """ASGI middleware: every request needs the token, in ?token= (then set as a cookie) or in the cookie."""

    def __init__(self, app, token: str) -> None:
        self.app, self.token = app, token

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        given = request.query_params.get("token")
        if given is not None and secrets.compare_digest(given, self.token):
            # drop the token from the address bar (and from history and referrers) once the cookie is set
            response = RedirectResponse(str(request.url.remove_query_params("token")), status_code=303)
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict", path="/")
            return await _secured(response)(scope, receive, send)
        cookie = request.cookies.get(COOKIE, "")
        if not (cookie and secrets.compare_digest(cookie, self.token)):
            response = PlainTextResponse("403: open the address with ?token=... that `grader serve` printed.", 403)
            return await _secured(response)(scope, receive, send)
        if request.method == "POST" and request.headers.get("content-type", "").split(";")[0] != "application/json":
            # a cross-site form cannot send JSON without the browser asking first: no CSRF through forms
            return await _secured(PlainTextResponse("415: JSON only", 415))(scope, receive, send)

        async def send_secured(message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + _SECURITY_HEADERS
            await send(message)

        return await self.app(scope, receive, send_secured)


_SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"x-frame-options", b"DENY"),
]


def _secured(response: Response) -> Response:
    for name, value in _SECURITY_HEADERS:
        response.headers[name.decode()] = value.decode()
    return response


def create_app(out: Path, token: str, grader_name: str = "ta", jobs: int | None = None) -> TokenGate:
    """The workbench over output folder `out`, behind `token`; `grader_name` is recorded with every mark."""
    bench = Workbench(Path(out))
    regrader = Regrader(bench, jobs)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["points"] = fmt_points
    templates = Jinja2Templates(env=env)

    def page(request: Request, name: str, **context) -> Response:
        return templates.TemplateResponse(request, name, {"grader_name": grader_name, **context})

    def index(request: Request) -> Response:
        rows = []
        for name in bench.assignments():
            book = bench.gradebook(name)
            rows.append({"name": name, "students": len(book), "pending": int((book["status"] == "pending-manual").sum()),
                         "mean": float(book["percent"].mean()) if len(book) else float("nan")})
        return page(request, "index.html", assignments=rows, out=str(out))

    def assignment(request: Request) -> Response:
        name = request.path_params["assignment"]
        book = bench.gradebook(name)
        return page(request, "assignment.html", assignment=name, items=bench.manual_items(name),
                    rows=book.to_dict("records"), rubric=bench.rubric(name))

    def question(request: Request) -> Response:
        name, item_id = request.path_params["assignment"], request.path_params["item"]
        return page(request, "question.html", assignment=name, **question_view(bench, name, item_id))

    def student(request: Request) -> Response:
        name, student_id = request.path_params["assignment"], request.path_params["student"]
        return page(request, "student.html", assignment=name, **student_view(bench, name, student_id))

    def class_analytics(request: Request) -> Response:
        name = request.path_params["assignment"]
        stats = analytics.class_stats(name, bench.results(name))
        return page(request, "analytics.html", assignment=name, stats=stats)

    def chart(request: Request) -> Response:
        name, kind = request.path_params["assignment"], request.path_params["kind"]
        svg = analytics.chart_svg(kind, analytics.class_stats(name, bench.results(name)))
        if svg is None:
            raise NotFound(kind)
        return Response(svg, media_type="image/svg+xml")

    def figure(request: Request) -> Response:
        name, student_id, file = (request.path_params[k] for k in ("assignment", "student", "file"))
        bench.result(name, student_id)  # the student must exist: the id is then one of ours
        if not _FIGURE.match(file):
            raise NotFound(file)
        path = bench.outputs(name).feedback / f"{student_id}_figures" / file
        if not path.is_file() or path.is_symlink():
            raise NotFound(file)
        return FileResponse(path, media_type="image/png")

    def reference_figure(request: Request) -> Response:
        name, file = request.path_params["assignment"], request.path_params["file"]
        path = bench.outputs(name).root / REFERENCE_FIGURES / file
        if not _FIGURE.match(file) or not path.is_file() or path.is_symlink():
            raise NotFound(file)
        return FileResponse(path, media_type="image/png")

    async def save_manual(request: Request) -> Response:
        name = request.path_params["assignment"]
        body = await _json(request)
        result = await run_in_threadpool(bench.save_manual, name, str(body["student"]), str(body["item"]),
                                         _points(body.get("points")), str(body.get("comment", ""))[:5000], grader_name)
        results = await run_in_threadpool(bench.results, name)
        left = sum(1 for r in results for c in r.checks if c.check_id == body["item"] and c.status == "pending")
        return JSONResponse({"total": result.score, "max": result.max_score, "status": result.status, "left": left})

    async def save_override(request: Request) -> Response:
        name = request.path_params["assignment"]
        body = await _json(request)
        result = await run_in_threadpool(bench.save_override, name, str(body["student"]), str(body["check"]),
                                         _points(body.get("points")), str(body.get("reason", ""))[:5000], grader_name)
        return JSONResponse({"total": result.score, "max": result.max_score, "status": result.status})

    async def start_regrade(request: Request) -> Response:
        name = request.path_params["assignment"]
        body = await _json(request)
        student_id = body.get("student")
        if student_id is not None:
            await run_in_threadpool(bench.result, name, str(student_id))
        job = await run_in_threadpool(regrader.start, name, None if student_id is None else str(student_id))
        return JSONResponse(job.as_json())

    def regrade_progress(request: Request) -> Response:
        job = regrader.get(request.path_params["job"])
        if job is None:
            raise NotFound("job")
        return JSONResponse(job.as_json())

    def pygments_css(request: Request) -> Response:
        return Response(render.pygments_css(), media_type="text/css")

    async def not_found(request: Request, exc: Exception) -> Response:
        return PlainTextResponse(f"404: {exc}", status_code=404)

    async def bad_input(request: Request, exc: Exception) -> Response:
        return JSONResponse({"error": str(exc)}, status_code=400)

    routes = [
        Route("/", index),
        Route("/a/{assignment}/", assignment),
        Route("/a/{assignment}/q/{item}", question),
        Route("/a/{assignment}/s/{student}", student),
        Route("/a/{assignment}/s/{student}/figures/{file}", figure),
        Route("/a/{assignment}/reference-figures/{file}", reference_figure),
        Route("/a/{assignment}/analytics", class_analytics),
        Route("/a/{assignment}/charts/{kind}.svg", chart),
        Route("/api/a/{assignment}/manual", save_manual, methods=["POST"]),
        Route("/api/a/{assignment}/override", save_override, methods=["POST"]),
        Route("/api/a/{assignment}/regrade", start_regrade, methods=["POST"]),
        Route("/api/jobs/{job}", regrade_progress),
        Route("/pygments.css", pygments_css),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={NotFound: not_found, ValueError: bad_input,
                                                       KeyError: bad_input})
    return TokenGate(app, token)


async def _json(request: Request) -> dict:
    try:
        body = await request.json()
    except json.JSONDecodeError:
        raise ValueError("the request body is not JSON") from None
    if not isinstance(body, dict):
        raise ValueError("the request body must be a JSON object")
    return body


def _points(value: object) -> float | None:
    if value is None or value == "":
        return None
    return float(value)  # ValueError -> 400
