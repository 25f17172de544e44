"""An inertness scan of the grader's outputs: what a student wrote may be shown, but never act.

Each `scan_*` returns a list of problems (empty when the file is inert):
- no control character (other than newline) and no bidirectional override anywhere;
- no line longer than the stated cap (`grader.report.inert.MAX_REPORT_LINE_CHARS`);
- Markdown and HTML: every heading is one the report template makes (its title, a rubric section or check
  title, a fixed heading); every link is relative (a figure next to the report or a notebook cell anchor);
  no script, no event handler;
- CSV: no cell a spreadsheet would read as a formula (OWASP: = + - @ tab CR first), the header included.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from html.parser import HTMLParser

from markdown_it import MarkdownIt

from grader.report.inert import FORMULA_STARTS, MAX_REPORT_LINE_CHARS
from grader.rubric import Rubric

FIXED_HEADINGS = {"Where you lost points", "Output of your program", "Notes", "Figures your script drew",
                  "Figures your notebook drew", "Notebook cells that did not run cleanly"}
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029")
_CELL = re.compile(r"^Cell \d+$")
#: the only HTML the Markdown template writes itself
_TEMPLATE_HTML = re.compile(r"^(<details>|</details>|<summary>(Last part of the output \(earlier lines were cut\)|"
                            r"Everything your program printed)</summary>)$")
_TEMPLATE_INLINE_HTML = re.compile(r"^(<br>|<sub>|</sub>)$")


def _characters_and_lines(text: str) -> list[str]:
    problems = []
    for char in set(text):
        if char != "\n" and (unicodedata.category(char) == "Cc" or char in _BIDI):
            problems.append(f"control character U+{ord(char):04X}")
    longest = max((len(line) for line in text.split("\n")), default=0)
    if longest > MAX_REPORT_LINE_CHARS:
        problems.append(f"a line of {longest} characters (cap {MAX_REPORT_LINE_CHARS})")
    return problems


def _heading_ok(level: int, text: str, rubric: Rubric) -> bool:
    text = " ".join(text.split())
    if level == 1:
        return text == f"Feedback on {rubric.name}"
    if level == 2:
        return text in FIXED_HEADINGS or any(text.startswith(f"Section {s.id}: {s.title}") for s in rubric.sections)
    if level == 3:
        titles = [c.title for c in rubric.checks] + [m.title for m in rubric.manual]
        return bool(_CELL.match(text)) or any(title in text for title in titles)
    return False


def _link_ok(href: str) -> bool:
    return href.startswith("#cell-") or ("://" not in href and not href.startswith(("/", "javascript:", "data:")))


def scan_markdown(text: str, rubric: Rubric) -> list[str]:
    problems = _characters_and_lines(text)
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[index + 1]
            shown = "".join(child.content for child in inline.children or [] if child.type in ("text", "code_inline"))
            if not _heading_ok(int(token.tag[1]), shown, rubric):
                problems.append(f"heading not made by the template: {shown[:80]!r}")
        if token.type == "inline":
            for child in token.children or []:
                href = child.attrs.get("href") or child.attrs.get("src")
                if isinstance(href, str) and not _link_ok(href):
                    problems.append(f"link to {href[:80]!r}")
        if token.type == "html_block" and not all(_TEMPLATE_HTML.match(line) for line in token.content.strip().split("\n")):
            problems.append(f"raw HTML block: {token.content[:80]!r}")
        if token.type == "inline":
            for child in token.children or []:
                if child.type == "html_inline" and not _TEMPLATE_INLINE_HTML.match(child.content):
                    problems.append(f"raw HTML: {child.content[:80]!r}")
    return problems


class _HtmlScanner(HTMLParser):
    def __init__(self, rubric: Rubric) -> None:
        super().__init__(convert_charrefs=True)
        self.rubric = rubric
        self.problems: list[str] = []
        self.heading: tuple[int, list[str]] | None = None
        self.depth_in_heading = 0

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.problems.append("a script")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"an event handler {name}")
            if name in ("href", "src") and value is not None and not _link_ok(value):
                self.problems.append(f"link to {value[:80]!r}")
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.heading = (int(tag[1]), [])
        elif self.heading is not None and tag == "span":
            self.depth_in_heading += 1

    def handle_endtag(self, tag):
        if tag == "span" and self.depth_in_heading:
            self.depth_in_heading -= 1
        elif self.heading is not None and tag == f"h{self.heading[0]}":
            level, parts = self.heading
            shown = "".join(parts)
            if not _heading_ok(level, shown, self.rubric):
                self.problems.append(f"heading not made by the template: {shown[:80]!r}")
            self.heading = None

    def handle_data(self, data):
        if self.heading is not None and not self.depth_in_heading:  # badges and scores sit in spans
            self.heading[1].append(data)


def scan_html(text: str, rubric: Rubric) -> list[str]:
    scanner = _HtmlScanner(rubric)
    scanner.feed(text)
    scanner.close()
    return _characters_and_lines(text) + scanner.problems


def _number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def scan_csv(text: str) -> list[str]:
    problems = _characters_and_lines(text)
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            if cell and not _number(cell) and cell.lstrip(" ").startswith(FORMULA_STARTS):
                problems.append(f"formula cell {cell[:40]!r}")
    return problems
