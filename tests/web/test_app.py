"""The workbench's HTTP surface without a browser: the token, security headers, saving marks, republishing."""
from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

from grader.store.results import ResultStore
from grader.web.app import CSP, create_app
from tests.report.fixtures import all_results

warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)
TestClient = pytest.importorskip("starlette.testclient").TestClient
TOKEN = "s3cret-token"


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An output folder with the report fixtures stored as a graded numpy_nn class (no sandbox needed)."""
    with ResultStore(tmp_path / "out" / "numpy_nn" / "results.sqlite") as store:
        for result in all_results():
            store.put(result, "key", "2026-12-01T10:00:00+00:00")
    return tmp_path / "out"


@pytest.fixture
def client(out: Path):
    client = TestClient(create_app(out, TOKEN, "ta_kim"), base_url="http://127.0.0.1")
    client.get(f"/?token={TOKEN}")
    return client


def test_every_page_needs_the_token(out: Path) -> None:
    anonymous = TestClient(create_app(out, TOKEN), base_url="http://127.0.0.1")
    for url in ("/", "/a/numpy_nn/", "/a/numpy_nn/s/bob", "/static/app.js", f"/?token={TOKEN[:-1]}"):
        assert anonymous.get(url).status_code == 403, url
    assert anonymous.post("/api/a/numpy_nn/manual", json={"student": "dave", "item": "plots", "points": 1}).status_code == 403


def test_the_token_becomes_a_cookie_and_leaves_the_address(out: Path) -> None:
    browser = TestClient(create_app(out, TOKEN), base_url="http://127.0.0.1")
    first = browser.get(f"/a/numpy_nn/?token={TOKEN}", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "http://127.0.0.1/a/numpy_nn/"
    assert "HttpOnly" in first.headers["set-cookie"] and "samesite=strict" in first.headers["set-cookie"].lower()
    assert browser.get("/a/numpy_nn/").status_code == 200


@pytest.mark.parametrize("url", ["/", "/a/numpy_nn/", "/a/numpy_nn/q/plots", "/a/numpy_nn/s/bob", "/a/numpy_nn/analytics",
                                 "/a/numpy_nn/charts/histogram.svg"])
def test_pages_render_with_a_csp_without_inline_script(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CSP and "unsafe-inline" not in CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    if url.endswith(".svg"):
        assert response.text.lstrip().startswith("<?xml")
    else:
        assert "<script>" not in response.text and "style=" not in response.text


def test_a_manual_score_updates_gradebook_report_and_csv(client, out: Path) -> None:
    folder = out / "numpy_nn"
    response = client.post("/api/a/numpy_nn/manual", json={"student": "dave", "item": "plots", "points": 3,
                                                            "comment": "Clear plots, <b>axes</b> unlabelled."})
    assert response.status_code == 200 and response.json()["left"] == 1  # carol is still pending
    row = pd.read_csv(folder / "gradebook.csv").set_index("student_id").loc["dave"]
    assert (row["plots"], row["status"]) == (3.0, "graded")
    assert "Clear plots, <b>axes</b> unlabelled." in pd.read_csv(folder / "manual_scores.csv")["comment"].tolist()
    assert "axes" in (folder / "feedback" / "dave.md").read_text()
    with ResultStore(folder / "results.sqlite") as store:
        assert store.history("numpy_nn", "dave")[["grader", "points"]].values.tolist() == [["ta_kim", 3.0]]
    cleared = client.post("/api/a/numpy_nn/manual", json={"student": "dave", "item": "plots", "points": None})
    assert cleared.json()["status"] == "pending-manual"


@pytest.mark.parametrize("body, message", [
    ({"student": "dave", "item": "plots", "points": 4.5}, "between 0 and 4"),
    ({"student": "dave", "item": "plots", "points": "four"}, "could not convert"),
    ({"student": "dave", "item": "mse_forward", "points": 1}, "no manual item"),
    ({"student": "mallory", "item": "plots", "points": 1}, "no student"),
])
def test_bad_marks_are_refused(client, body: dict, message: str) -> None:
    response = client.post("/api/a/numpy_nn/manual", json=body)
    assert response.status_code in (400, 404) and message in response.text


def test_an_override_changes_the_report_and_is_audited(client, out: Path) -> None:
    assert client.post("/api/a/numpy_nn/override", json={"student": "bob", "check": "mse_forward", "points": 1.5,
                                                          "reason": ""}).status_code == 400
    response = client.post("/api/a/numpy_nn/override", json={"student": "bob", "check": "mse_forward", "points": 1.5,
                                                              "reason": "Averaging over all entries is also accepted."})
    assert response.status_code == 200
    assert "Averaging over all entries is also accepted." in (out / "numpy_nn" / "feedback" / "bob.md").read_text()
    page = client.get("/a/numpy_nn/s/bob").text
    assert "overridden by ta_kim" in page and "Averaging over all entries" in page


def test_forms_and_other_content_types_are_refused(client) -> None:
    response = client.post("/api/a/numpy_nn/manual", data={"student": "dave", "item": "plots", "points": "4"})
    assert response.status_code == 415


def test_unknown_names_and_figure_paths_are_404(client) -> None:
    for url in ("/a/..%2F/", "/a/nope/", "/a/numpy_nn/q/nope", "/a/numpy_nn/s/nobody",
                "/a/numpy_nn/s/bob/figures/..%2F..%2Fresults.sqlite", "/a/numpy_nn/s/bob/figures/figure_01.png"):
        assert client.get(url).status_code == 404, url


def test_stats_prints_the_analytics_numbers(out: Path, capsys) -> None:
    from grader.cli import main

    assert main(["stats", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "numpy_nn: 4 students" in printed and "Full points per check" in printed and "timeout 1" in printed


def test_hostile_student_ids_output_and_comments_are_escaped(tmp_path: Path) -> None:
    from dataclasses import replace

    payload = '<img src=x onerror="window.__pwned=1">'
    timeout = next(r for r in all_results() if r.student_id == "carol")
    hostile = replace(timeout, student_id=f"eve{payload}", run=replace(timeout.run, stdout_tail=f"<script>x()</script>{payload}"))
    with ResultStore(tmp_path / "out" / "numpy_nn" / "results.sqlite") as store:
        store.put(hostile, "key", "2026-12-01T10:00:00+00:00")
    client = TestClient(create_app(tmp_path / "out", TOKEN), base_url="http://127.0.0.1")
    client.get(f"/?token={TOKEN}")
    assert client.post("/api/a/numpy_nn/manual", json={"student": hostile.student_id, "item": "plots", "points": 1,
                                                       "comment": payload}).status_code == 200
    from urllib.parse import quote

    for url in ("/a/numpy_nn/", "/a/numpy_nn/q/plots", f"/a/numpy_nn/s/{quote(hostile.student_id, safe='')}"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "<img src=x" not in page.text and "<script>x()" not in page.text
        assert "&lt;img src=x" in page.text


def test_one_output_folder_serves_several_assignments(out: Path) -> None:
    from dataclasses import replace

    with ResultStore(out / "bench_layers" / "results.sqlite") as store:
        for result in all_results():
            store.put(replace(result, assignment="bench_layers"), "key", "2026-12-01T10:00:00+00:00")
    client = TestClient(create_app(out, TOKEN), base_url="http://127.0.0.1")
    index = client.get(f"/?token={TOKEN}").text
    assert "/a/bench_layers/" in index and "/a/numpy_nn/" in index
    for name in ("bench_layers", "numpy_nn"):
        assert client.get(f"/a/{name}/").status_code == 200
        assert client.get(f"/a/{name}/analytics").status_code == 200


def test_grade_by_question_shows_answers_files_and_code_of_script_hand_ins(out: Path, tmp_path: Path) -> None:
    from grader.assignments import grader_home

    hand_in = tmp_path / "class" / "dave"
    hand_in.mkdir(parents=True)
    shutil.copyfile(grader_home() / "submissions" / "numpy_nn" / "ben_correct_einsum.py", hand_in / "numpy_nn.py")
    (hand_in / "answers.md").write_text("# Plots\nThe loss falls <script>window.x=1</script> steadily.\n")
    with ResultStore(out / "numpy_nn" / "results.sqlite") as store:
        store.set_meta("numpy_nn", "submissions", str(tmp_path / "class"))
    client = TestClient(create_app(out, TOKEN), base_url="http://127.0.0.1")
    client.get(f"/?token={TOKEN}")
    page = client.get("/a/numpy_nn/q/plots").text
    assert "The loss falls &lt;script&gt;window.x=1&lt;/script&gt; steadily." in page
    assert 'class="highlight"' in page and "einsum" in page  # the code, highlighted, under the answer
    review = client.get("/a/numpy_nn/s/dave").text
    assert "answers.md" in review and "numpy_nn.py" in review
