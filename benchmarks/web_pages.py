"""How fast the workbench opens its pages for a real class, and screenshots of them for the docs.

Grades the 15-student dl_assignment1 sample class into `--out` (skipped when it is already graded there),
starts `grader serve`'s app in this process, and measures:
- the grade-by-question page of one manual item: server time of the first request after start (cold: nbconvert
  imported and 15 notebooks rendered) and of later requests (warm: rendered cells are cached), and the time
  headless chromium takes from navigation to the `load` event (every figure loaded);
- a review page and the analytics page the same way.
With `--screenshots`, writes docs/web-grade-by-question.png, docs/web-review.png and docs/web-analytics.png.

    .venv/bin/python benchmarks/web_pages.py [--out /tmp/grader-web-bench] [--screenshots]
"""
from __future__ import annotations

import argparse
import secrets
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import REPO, machine, median, table  # noqa: E402

ASSIGNMENT = "dl_assignment1"
ITEM = "q1.6e"
STUDENT = "eve_he_fan_in"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/grader-web-bench"))
    parser.add_argument("--screenshots", action="store_true")
    args = parser.parse_args()
    print(machine())
    if not (args.out / ASSIGNMENT / "results.sqlite").is_file():
        from grader.run import grade_each

        started = time.perf_counter()
        grade_each(REPO / "submissions" / ASSIGNMENT, ASSIGNMENT, args.out, jobs=2)
        print(f"graded the class in {time.perf_counter() - started:.0f} s")
    url, token, stop = serve(args.out)
    try:
        pages = {"grade by question": f"/a/{ASSIGNMENT}/q/{ITEM}", "review": f"/a/{ASSIGNMENT}/s/{STUDENT}",
                 "analytics": f"/a/{ASSIGNMENT}/analytics"}
        rows = server_times(url, token, pages) + browser_times(url, token, pages, args.screenshots)
        print(table(["page", "how", "seconds"], rows))
    finally:
        stop()
    print(machine())


def serve(out: Path):
    import uvicorn

    from grader.web.app import create_app
    from grader.web.serve import bind

    token = secrets.token_urlsafe(16)
    sock = bind(0)
    server = uvicorn.Server(uvicorn.Config(create_app(out, token, "bench"), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)

    def stop() -> None:
        server.should_exit = True
        thread.join()

    return f"http://127.0.0.1:{sock.getsockname()[1]}", token, stop


def server_times(url: str, token: str, pages: dict[str, str]) -> list[list[object]]:
    import httpx

    rows = []
    with httpx.Client(base_url=url, cookies={"grader_token": token}, timeout=120) as client:
        for name, path in pages.items():
            times = []
            for _ in range(4):
                started = time.perf_counter()
                client.get(path).raise_for_status()
                times.append(time.perf_counter() - started)
            rows.append([name, "server, first request", f"{times[0]:.2f}"])
            rows.append([name, "server, median of 3 later", f"{median(times[1:]):.2f}"])
    return rows


def browser_times(url: str, token: str, pages: dict[str, str], screenshots: bool) -> list[list[object]]:
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/?token={token}")
        for name, path in pages.items():
            started = time.perf_counter()
            page.goto(url + path, wait_until="load")
            rows.append([name, "chromium, navigation to load", f"{time.perf_counter() - started:.2f}"])
            if screenshots:
                file = REPO / "docs" / f"web-{name.replace(' ', '-')}.png"
                page.screenshot(path=str(file), full_page=False)
                print(f"wrote {file.relative_to(REPO)}")
        browser.close()
    return rows


if __name__ == "__main__":
    main()
