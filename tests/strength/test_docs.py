"""The docs table of one assignment replaces its own section and leaves the rest of the file alone."""
from __future__ import annotations

from grader.strength.report import update_docs


def section(name: str, body: str) -> str:
    return f"<!-- selftest:{name} -->\n## {name}\n{body}\n<!-- /selftest:{name} -->\n"


def test_sections_are_replaced_in_place_and_appended_when_new(tmp_path):
    docs = tmp_path / "rubric-strength.md"
    docs.write_text("# Rubric strength\n\nIntro.\n")
    update_docs(docs, section("a", "first"), "a")
    update_docs(docs, section("b", "other"), "b")
    update_docs(docs, section("a", "second"), "a")
    text = docs.read_text()
    assert text.startswith("# Rubric strength\n\nIntro.\n\n<!-- selftest:a -->")
    assert "second" in text and "first" not in text
    assert text.index("selftest:a") < text.index("selftest:b") and text.count("<!-- selftest:a -->") == 1
