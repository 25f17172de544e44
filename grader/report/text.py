"""Turning check messages and captured output into safe Markdown and HTML.

Messages follow the house style: prose with `code spans` for class, method and variable names.
Both renderers keep those spans as code and escape everything else, because a message may quote
text that came out of a student's program (an exception message, printed output).
"""
from __future__ import annotations

import re

from markupsafe import Markup, escape

# A run of n backticks, anything, then a run of exactly n backticks (CommonMark code span).
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
# ASCII punctuation that would otherwise start emphasis, links, tables or code in Markdown; "_" inside
# a word (W_grad) and "#" after the start of a line are literal on GitHub and stay unescaped for readability.
_MD_SPECIAL = re.compile(r"([\\`*\[\]~|]|(?<!\w)_|_(?!\w)|^#)", re.MULTILINE)
_INDENTED_HEADING = re.compile(r"^( {1,3})#", re.MULTILINE)
# ANSI colour/cursor sequences (progress bars, coloured logs) and C0 controls other than tab/newline.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def split_code_spans(text: str) -> list[tuple[bool, str]]:
    """Split `text` into (is_code, part) pieces; code parts are the span contents without backticks."""
    pieces: list[tuple[bool, str]] = []
    pos = 0
    for match in _CODE_SPAN.finditer(text):
        if match.start() > pos:
            pieces.append((False, text[pos : match.start()]))
        pieces.append((True, _strip_span_padding(match.group(2))))
        pos = match.end()
    if pos < len(text):
        pieces.append((False, text[pos:]))
    return pieces


def _strip_span_padding(content: str) -> str:
    # CommonMark drops one space on each side so that `` `x` `` can hold a backtick
    if len(content) >= 2 and content[0] == content[-1] == " " and content.strip():
        return content[1:-1]
    return content


def md_text(text: str) -> str:
    """Markdown for a prose message: code spans kept, everything else escaped."""
    out = []
    for is_code, part in split_code_spans(text):
        out.append(md_inline_code(part) if is_code else _md_escape(part))
    return "".join(out)


def _md_escape(prose: str) -> str:
    prose = prose.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # up to three spaces may precede the "#" of a heading
    return _INDENTED_HEADING.sub(r"\1\\#", _MD_SPECIAL.sub(r"\\\1", prose))


def md_cell(text: str) -> str:
    """Markdown for a table cell: like `md_text`, on one line, with pipes escaped (also inside code)."""
    out = []
    for is_code, part in split_code_spans(" ".join(text.split())):
        # GitHub splits table cells on "|" before it parses code spans, so pipes there need "\|" too
        out.append(md_inline_code(part).replace("|", "\\|") if is_code else _md_escape(part))
    return "".join(out)


def md_inline_code(text: str) -> str:
    """`text` as one Markdown code span, with a fence longer than any backtick run inside it."""
    one_line = " ".join(text.split("\n"))
    fence = "`" * (_longest_backtick_run(one_line) + 1)
    pad = " " if one_line.startswith("`") or one_line.endswith("`") else ""
    return f"{fence}{pad}{one_line}{pad}{fence}"


def md_code_block(text: str, info: str = "text") -> str:
    """`text` as a fenced Markdown code block; the fence cannot be closed by the content."""
    fence = "`" * max(3, _longest_backtick_run(text) + 1)
    body = text if text.endswith("\n") else text + "\n"
    return f"{fence}{info}\n{body}{fence}"


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


def html_text(text: str) -> Markup:
    """HTML for a prose message: code spans as <code>, everything else escaped."""
    parts = []
    for is_code, part in split_code_spans(text):
        parts.append(Markup("<code>{}</code>").format(part) if is_code else escape(part))
    return Markup("").join(parts)


def clean_output(text: str) -> str:
    """Captured program output made printable: no ANSI sequences, carriage returns or control bytes."""
    text = _ANSI.sub("", text)
    # "\r" without "\n" is how progress bars redraw a line; show each redraw on its own line
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def fmt_points(value: float) -> str:
    """Points for people: 2 -> "2", 1.5 -> "1.5", 2/3 -> "0.67"."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
