"""`grader serve`: start the workbench on 127.0.0.1 behind a fresh random token and print its address."""
from __future__ import annotations

import errno
import getpass
import secrets
import socket
import threading
import webbrowser
from pathlib import Path
from typing import Callable

DEFAULT_PORT = 8765


def bind(port: int | None) -> socket.socket:
    """A listening socket on 127.0.0.1 (only this machine can connect); the default port falls back to a free one."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", DEFAULT_PORT if port is None else port))
    except OSError as exc:
        if port is not None or exc.errno != errno.EADDRINUSE:
            sock.close()
            raise
        sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock


def serve(out: Path, port: int | None = None, open_browser: bool = True, grader_name: str | None = None,
          jobs: int | None = None, announce: Callable[[str], None] = print) -> None:
    """Serve the workbench over `out` until interrupted; `announce` gets the address with the token."""
    import uvicorn

    from grader.web.app import create_app

    token = secrets.token_urlsafe(32)
    app = create_app(Path(out), token, grader_name or _user(), jobs)
    sock = bind(port)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/?token={token}"
    announce(url)
    # after the address is out: the warm-up imports nbconvert, and nothing may wait on it before the address
    threading.Thread(target=_prepare, args=(Path(out),), name="prepare-pages", daemon=True).start()
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    server.run(sockets=[sock])


def _prepare(out: Path) -> None:
    """Load nbconvert and render every grade-by-question page once, in the background, so that the pages
    a TA opens are already rendered (cells are cached until the hand-in changes)."""
    from grader.web.render import prepare
    from grader.web.views import question_view
    from grader.web.workbench import Workbench

    prepare()
    bench = Workbench(out)
    for assignment in bench.assignments():
        for item in bench.manual_items(assignment):
            try:
                question_view(bench, assignment, item.id)
            except Exception:  # a page that fails here fails again, with its message, when it is opened
                pass


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "ta"
