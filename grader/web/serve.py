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
    from grader.web.render import prepare

    threading.Thread(target=prepare, name="prepare-nbconvert", daemon=True).start()
    sock = bind(port)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/?token={token}"
    announce(url)
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    server.run(sockets=[sock])


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "ta"
