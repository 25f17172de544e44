"""Student content as safe HTML: notebook cells (nbconvert), code (pygments), answers-file sections.

Everything here comes from a hand-in and is hostile: it goes through nh3 with a short list of tags and
attributes, no `style`, `id` or event attributes, links only to http(s), images only as PNG/JPEG/GIF data.
The pages add a Content-Security-Policy without inline script, a second line of defence.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import nh3
from markupsafe import Markup

_TAGS = set(nh3.ALLOWED_TAGS) - {"area", "map"}
_ATTRIBUTES = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
_ATTRIBUTES["*"] = {"class"}
_ATTRIBUTES["img"] = {"src", "alt", "width", "height"}
_ATTRIBUTES["a"] = {"href"}
_IMAGE_DATA = re.compile(r"^data:image/(png|jpeg|gif);base64,[A-Za-z0-9+/=\s]*$")
#: notebooks larger than this are not rendered (the TA gets a note instead)
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
MAX_TEXT_CHARS = 200_000


def _filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if _IMAGE_DATA.match(value) else None
    if tag == "a" and attribute == "href":
        return value if re.match(r"^(https?://|#)", value, re.IGNORECASE) else None
    return value


def sanitise(html: str) -> Markup:
    """Untrusted HTML made inert: safe tags and attributes only, every link opened without a referrer."""
    return Markup(nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https", "data"},
                            attribute_filter=_filter, link_rel="noopener noreferrer nofollow", strip_comments=True))


@dataclass(frozen=True)
class RenderedPart:
    """One piece of a student's answer as shown to a TA."""

    title: str
    html: Markup


# ---------------------------------------------------------------------- notebooks

_EXPORT_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _exporter():
    from nbconvert import HTMLExporter

    # "basic": cells only, no page, no scripts or styles of its own
    return HTMLExporter(template_name="basic", exclude_anchor_links=True)


def prepare() -> None:
    """Import nbconvert and load its templates now (about a second), not on the first page a TA opens."""
    _exporter()


def _read_notebook(path: Path):
    import nbformat

    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"the notebook is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB")
    return nbformat.read(path, as_version=4)


def answer_cells(cells: list, pattern: str) -> list[int]:
    """Indices (0-based) of the cells that answer an item: from the first markdown cell matching
    `pattern` up to the next markdown cell that starts with a heading. Empty when nothing matches."""
    regex = re.compile(pattern)
    start = next((i for i, c in enumerate(cells) if c.get("cell_type") == "markdown" and regex.search(_source(c))), None)
    if start is None:
        return []
    chosen = [start]
    for index in range(start + 1, len(cells)):
        cell = cells[index]
        if cell.get("cell_type") == "markdown" and _source(cell).lstrip().startswith("#"):
            break
        chosen.append(index)
    return chosen


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


@lru_cache(maxsize=512)
def _notebook_html(path: str, mtime_ns: int, pattern: str) -> tuple[str, tuple[int, ...]]:
    notebook = _read_notebook(Path(path))
    indices = tuple(answer_cells(notebook.cells, pattern)) if pattern else tuple(range(len(notebook.cells)))
    if pattern and not indices:
        return "", ()
    notebook.cells = [notebook.cells[i] for i in indices]
    with _EXPORT_LOCK:  # one exporter, not thread-safe
        body, _ = _exporter().from_notebook_node(notebook)
    return str(sanitise(body)), indices


def notebook_part(path: Path, pattern: str = "") -> tuple[RenderedPart, tuple[int, ...]]:
    """The notebook's cells matching an answer pattern (all cells without one), rendered and sanitised,
    and the 0-based indices of those cells. A notebook that cannot be read gives a note, not an error."""
    try:
        html, indices = _notebook_html(str(path), path.stat().st_mtime_ns, pattern)
    except Exception as exc:  # a broken hand-in is normal input: say so on the page
        return RenderedPart(_name(path), Markup("<p class='note'>This notebook cannot be shown: {}</p>").format(
            str(exc)[:300])), ()
    if pattern and not indices:
        return RenderedPart(_name(path), Markup("<p class='note'>No cell of this notebook matches the item; "
                                                "the whole notebook is under Review.</p>")), ()
    return RenderedPart(_name(path), Markup(html)), indices


# ---------------------------------------------------------------------- code and text files


def code_part(path: Path) -> RenderedPart:
    """A source file highlighted with pygments (which escapes everything it prints)."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer, TextLexer

    text = _read_text(path)
    lexer = PythonLexer() if path.suffix == ".py" else TextLexer()
    return RenderedPart(_name(path), Markup(highlight(text, lexer, HtmlFormatter(cssclass="highlight"))))


def answers_section(path: Path, pattern: str) -> RenderedPart | None:
    """The lines of an answers file (.md, .txt) from the first match of `pattern` up to the next heading,
    as preformatted text; None when nothing matches."""
    lines = _read_text(path).splitlines()
    regex = re.compile(pattern)
    start = next((i for i, line in enumerate(lines) if regex.search(line)), None)
    if start is None:
        return None
    end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("#")), len(lines))
    return RenderedPart(_name(path), Markup("<pre class='answer'>{}</pre>").format("\n".join(lines[start:end])))


def text_part(path: Path) -> RenderedPart:
    return RenderedPart(_name(path), Markup("<pre class='answer'>{}</pre>").format(_read_text(path)))


def pygments_css() -> str:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(cssclass="highlight").get_style_defs(".highlight")


def _read_text(path: Path) -> str:
    return path.read_bytes()[: MAX_TEXT_CHARS * 4].decode("utf-8", "replace")[:MAX_TEXT_CHARS]


def _name(path: Path) -> str:
    # file names are student input too; Jinja escapes them, and this keeps them printable
    return path.name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
