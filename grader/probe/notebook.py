"""Run a Jupyter notebook inside the sandbox: every code cell, in order, in one in-process IPython shell.

The notebook is read with nbformat and its code cells run through `IPython.core.interactiveshell
.InteractiveShell.run_cell` in the sandboxed child itself (no kernel, no sockets; docs/notebooks.md has the
measurements behind this choice). So IPython's own semantics hold: magics (`%matplotlib inline`, `%time`),
`display`, `Out[n]`, the last expression of a cell. Differences from a Jupyter kernel, on purpose:

- `%matplotlib <anything>` selects the inline backend (there is no GUI), which is also active from the start,
  as in Jupyter. `plt.show()` displays the figure; every figure a cell displays or leaves open is saved as a
  PNG (at most `max_figures` per notebook) and attributed to that cell.
- Shell escapes (`!pip install ...`, `%pip`, `files = !ls`) are not run; a note is printed instead.
- `input()` raises at once with a message saying why (there is no keyboard).
- A cell that raises does not stop the notebook: every cell runs, each under a per-cell time limit, and
  the whole notebook under a total time limit (grader.probe.limits).

The outcome of every cell (ok, error, timeout, not run), the figures it drew, the names it binds and the
students' names written into the notebook are returned, and `load_notebook` records them as observations
(`notebook.cells`, `cell.<n>.error`, `notebook.names`) for the report. Code cells are compiled under the
file name "<notebook path>, cell <n>" (n counts all cells from 1, markdown included, as they appear in
Jupyter), so tracebacks and error summaries name the cell.
"""
from __future__ import annotations

import ast
import base64
import builtins
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from grader.probe.channel import ObservationWriter, StudentError
from grader.probe.errors import student_error, timeout_error
from grader.probe.limits import StepTimeout, time_limit
from grader.probe.load import LoadResult, MAX_HARVEST, _Harvester

#: the file name a cell's code is compiled under: f"{notebook}{CELL_MARK}{n}"
CELL_MARK = ", cell "
MAX_FIGURE_BYTES = 2 * 1024 * 1024
NAME_CELLS = 6  # the students' names are looked for in the first cells only
INPUT_MESSAGE = ("input() cannot be used when the notebook is graded: cells run without a keyboard. "
                 "Set the value in the code instead of asking for it.")
_MISSING = object()


@dataclass
class CellOutcome:
    """How one code cell went."""

    #: position among all cells of the notebook, from 1 (markdown cells count, as in Jupyter's view)
    index: int
    #: "ok", "error", "timeout" or "not-run" (the notebook's total time was used up before it)
    status: str = "not-run"
    seconds: float = 0.0
    error: StudentError | None = None
    #: file names of the PNGs saved for this cell (figure_NN.png)
    figures: list[str] = field(default_factory=list)
    #: figures drawn beyond the notebook's limit, not saved
    figures_dropped: int = 0
    #: the nearest markdown heading above the cell, to help find it ("1.3 Sigmoid")
    heading: str = ""
    first_line: str = ""
    #: top-level names the cell binds (def, class, =, import), found in its source even when it raised
    defines: list[str] = field(default_factory=list)
    #: names the cell reads
    uses: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index, "status": self.status, "figures": self.figures,
            "figures_dropped": self.figures_dropped, "heading": self.heading, "first_line": self.first_line,
            "defines": self.defines, "uses": self.uses,
            "error": self.error.describe() if self.error else "",
        }


@dataclass
class NotebookResult(LoadResult):
    """A LoadResult (final namespace, harvested objects, notebook-level error) plus per-cell outcomes."""

    cells: list[CellOutcome] = field(default_factory=list)
    #: what the notebook says about its authors, e.g. {"names": "Ada Lovelace, Alan Turing", "group": "12"}
    names: dict[str, str] = field(default_factory=dict)
    #: name -> every distinct object bound to it after a cell, in order: [(cell index, object), ...].
    #: Lets a probe test a function a later cell redefines (the handout's first `bce_loss`).
    versions: dict[str, list[tuple[int, Any]]] = field(default_factory=dict)

    def version(self, name: str, which: int) -> Any:
        """The first (0) or last (-1) object bound to `name` after any cell; KeyError if never bound."""
        found = self.versions.get(name)
        if not found:
            raise KeyError(name)
        return found[which][1]

    def question_cells(self, question: str) -> list[CellOutcome]:
        """The code cells under the heading of `question` (a heading that starts with it, e.g. "1.3e (1 point)")."""
        return [c for c in self.cells if c.heading.split(" ")[0].rstrip(".:") == question]

    def as_of_question(self, name: str, question: str) -> Any:
        """`name` as it was right after the last cell of `question`; a later redefinition does not count.

        KeyError when the notebook has no heading for `question` (the caller decides what then); NameAtQuestion
        when `name` did not exist at that position, naming the question's cell that failed, if one did."""
        cells = self.question_cells(question)
        if not cells:
            raise KeyError(question)
        last = max(c.index for c in cells)
        bound = [value for index, value in self.versions.get(name, []) if index <= last]
        if bound:
            return bound[-1]
        failed = next((c for c in cells if c.status != "ok"), None)
        where = (f"; cell {failed.index} of {question} ({failed.first_line!r}) "
                 + (f"raised {failed.error.describe()}" if failed.error else f"did not run ({failed.status})")
                 if failed else "")
        raise NameAtQuestion(f"{name} did not exist after the cells of {question}{where}. A later cell that "
                             f"defines it does not count for {question}.")


class NameAtQuestion(Exception):
    """A name a question asks for did not exist right after that question's cells."""


class _Latest:
    """Holds this process's notebook run. An instance attribute, not a module global: the integrity guard
    (grader.probe.integrity) treats any change to the grader's module namespaces as tampering."""

    result: NotebookResult | None = None


_LATEST = _Latest()


def current_run() -> NotebookResult | None:
    """The notebook run of this process (for probes that need per-cell versions), or None for a script."""
    return _LATEST.result


# ---------------------------------------------------------------- reading


class NotebookFormatError(Exception):
    """The file is not a notebook we can run."""


def read_cells(path: Path) -> list[dict[str, str]]:
    """[{"type": "code"|"markdown"|"raw", "source": str}, ...]; NotebookFormatError with a clear message."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotebookFormatError(f"{path.name} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise NotebookFormatError(f"{path.name} is not a valid notebook: its JSON is broken ({exc})") from None
    if not isinstance(data, dict):
        raise NotebookFormatError(f"{path.name} is not a valid notebook: expected a JSON object")
    if int(data.get("nbformat", 4) or 4) < 4:
        data = _upgrade(text, path)
    cells = data.get("cells")
    if not isinstance(cells, list):
        raise NotebookFormatError(f"{path.name} is not a valid notebook: it has no list of cells")
    out = []
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if not isinstance(source, str):
            source = ""
        out.append({"type": str(cell.get("cell_type", "")), "source": source})
    return out


def _upgrade(text: str, path: Path) -> dict:
    """Old (nbformat 3) notebooks, converted by nbformat itself."""
    try:
        import nbformat

        return json.loads(nbformat.writes(nbformat.reads(text, as_version=4)))
    except Exception as exc:
        raise NotebookFormatError(f"{path.name}: an old notebook format that could not be converted ({exc})") from None


_NAME_LINE = re.compile(
    r"^[\s#>*_\-|]*(?:student\s+|author\s+)?(names?|authors?|students?|group(?:\s+(?:number|nr\.?|no\.?))?)"
    r"[\s*_]*[:=][\s*_]*(.+?)[\s*_]*$",
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(r"^(?:\.{2,}|…|<.*>|\[.*\]|\{.*\}|x+|todo|tbd|none|your names?( here)?|name\s*\d*|-+)$", re.IGNORECASE)


def find_names(cells: list[dict[str, str]]) -> dict[str, str]:
    """Names and group the students wrote in the first cells ("**Names:** Ada, Alan", `GROUP = "12"`)."""
    found: dict[str, str] = {}
    for cell in cells[:NAME_CELLS]:
        for line in cell["source"].splitlines():
            match = _NAME_LINE.match(line)
            if not match:
                continue
            key = "group" if match.group(1).lower().startswith("group") else "names"
            value = re.sub(r"[\[\]\"'`]", "", match.group(2)).strip(" ,;")
            value = re.sub(r"<br\s*/?>", "", value).strip()
            if value and not _PLACEHOLDER.match(value) and key not in found:
                found[key] = value[:200]
    return found


def _heading(markdown: str) -> str:
    """The last heading of a markdown cell (the one nearest to the cells below it), or ""."""
    headings = [line.strip().lstrip("#").strip() for line in markdown.splitlines() if line.strip().startswith("#")]
    return headings[-1][:80] if headings else ""


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:100]
    return ""


def _names_in(source: str) -> tuple[list[str], list[str]]:
    """(top-level names bound, names read) from the cell's Python source, magics removed."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except (SyntaxError, ValueError):  # a cell that does not compile still says what it was meant to define
        text = "\n".join(lines)
        defines = set(re.findall(r"^(?:async\s+)?(?:def|class)\s+(\w+)", text, re.MULTILINE))
        defines |= set(re.findall(r"^(\w+)\s*=[^=]", text, re.MULTILINE))
        uses = set(re.findall(r"\b([A-Za-z_]\w*)\b", text)) - defines
        return sorted(defines)[:50], sorted(uses)[:50]
    defines: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defines.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            defines.update((a.asname or a.name).split(".")[0] for a in node.names if a.name != "*")
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For, ast.With)):
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    defines.add(sub.id)
    uses = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return sorted(defines)[:50], sorted(uses - defines)[:50]


# ---------------------------------------------------------------- the shell


def _no_input(prompt: str = "") -> str:  # noqa: ARG001 - input() signature
    raise RuntimeError(INPUT_MESSAGE)


def _make_shell(figures: "_FigureSink"):
    """An InteractiveShell for a terminal-less, GUI-less, offline sandbox (built once per process)."""
    from IPython.core.compilerop import CachingCompiler
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.text import SList
    from traitlets import Type
    from traitlets.config import Config

    class CellCompiler(CachingCompiler):
        cell_name = "<cell>"

        def get_code_name(self, raw_code, transformed_code, number):  # noqa: ARG002 - IPython's signature
            return self.cell_name

    class Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
            if isinstance(data, dict) and "image/png" in data:
                figures.add_png(data["image/png"])
                return
            super().publish(data, metadata, transient=transient, update=update, **kwargs)

    class GradingShell(InteractiveShell):
        compiler_class = Type(CellCompiler)
        display_pub_class = Type(Publisher)

        def enable_gui(self, gui=None):  # no event loop to start: there is no display
            return None

        def enable_matplotlib(self, gui=None):  # noqa: ARG002 - every backend request becomes inline
            return super().enable_matplotlib("inline")

        def system(self, cmd):
            print(f"[grader] shell command not run: !{cmd}", file=sys.stderr)
            self.user_ns["_exit_code"] = 1

        system_piped = system_raw = system

        def getoutput(self, cmd, split=True, depth=0):  # noqa: ARG002
            self.system(cmd)
            return SList()

    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "nocolor"
    config.InteractiveShell.xmode = "Plain"
    config.InteractiveShell.autocall = 0
    config.InteractiveShell.show_rewritten_input = False
    return GradingShell.instance(config=config)


class _FigureSink:
    """Saves PNGs of displayed or left-open figures as figure_NN.png, attributing them to the current cell."""

    def __init__(self, directory: Path | None, limit: int):
        self.directory, self.limit = directory, limit
        self.saved = 0
        self.cell: CellOutcome | None = None

    def add_png(self, data: Any) -> None:
        if self.cell is None:
            return
        if isinstance(data, str):
            try:
                data = base64.b64decode(data)
            except ValueError:
                return
        if not isinstance(data, bytes) or len(data) > MAX_FIGURE_BYTES:
            return
        if self.directory is None or self.saved >= self.limit:
            self.cell.figures_dropped += 1
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        self.saved += 1
        name = f"figure_{self.saved:02d}.png"
        (self.directory / name).write_bytes(data)
        self.cell.figures.append(name)

    def collect_open(self) -> None:
        """Figures a cell left open (a backend other than inline): save and close them, like inline does."""
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is None:
            return
        try:
            import io

            for number in list(pyplot.get_fignums()):
                buffer = io.BytesIO()
                pyplot.figure(number).savefig(buffer, format="png", dpi=72)
                self.add_png(buffer.getvalue())
            pyplot.close("all")
        except Exception:  # a broken figure must not stop the notebook
            pass


# ---------------------------------------------------------------- running


def run_notebook(path: Path, cell_seconds: float, total_seconds: float, harvest: frozenset[str] = frozenset(),
                 *, figures_dir: Path | None = None, max_figures: int = 12,
                 track: frozenset[str] = frozenset(), after_exec: Callable[[], None] | None = None) -> NotebookResult:
    """Run every code cell of `path` in order; never raises for anything the notebook does.

    `cell_seconds` limits each cell, `total_seconds` the whole notebook (cells after that are not run).
    `harvest`: class names whose instances are kept from the final namespace (as for scripts);
    `track`: names whose successive objects are kept per cell (`NotebookResult.versions`).
    `after_exec` runs as soon as the last cell has stopped, before any more of our code (as for scripts:
    the integrity guard restores what the notebook may have replaced in the libraries we use).
    """
    notebook = str(path)
    result = NotebookResult(namespace={})
    _LATEST.result = result
    try:
        cells = read_cells(path)
    except (NotebookFormatError, OSError) as exc:
        result.error = StudentError("SyntaxError", str(exc))
        return result
    result.names = find_names(cells)
    sys.argv = [notebook]
    sys.path.insert(0, str(path.parent))
    sink = _FigureSink(figures_dir, max_figures)
    saved_builtins = dict(vars(builtins))  # before the shell adds display, get_ipython, __IPYTHON__
    try:
        shell = _make_shell(sink)
        shell.enable_matplotlib("inline")
    except Exception as exc:  # the grader's environment, not the student's fault: report it plainly
        _restore_builtins(saved_builtins, {})
        result.error = StudentError("GraderError", f"could not start IPython to run the notebook: {exc}")
        return result
    namespace = shell.user_ns
    result.namespace = namespace
    builtins.input = _no_input
    namespace["input"] = _no_input
    deadline = time.monotonic() + total_seconds
    heading = ""
    try:
        for index, cell in enumerate(cells, start=1):
            if cell["type"] == "markdown":
                heading = _heading(cell["source"]) or heading
                continue
            if cell["type"] != "code" or not cell["source"].strip():
                continue
            outcome = CellOutcome(index, heading=heading, first_line=_first_line(cell["source"]))
            outcome.defines, outcome.uses = _names_in(cell["source"])
            result.cells.append(outcome)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                continue  # stays "not-run"
            sink.cell = outcome
            _run_cell(shell, cell["source"], f"{notebook}{CELL_MARK}{index}", outcome, min(cell_seconds, remaining),
                      cell_seconds, notebook)
            sink.collect_open()
            sink.cell = None
            _track(result, namespace, track, index)
            if outcome.status == "timeout" and time.monotonic() >= deadline - 0.05:
                result.error = timeout_error(total_seconds, f"running {path.name} (all its cells together)")
        if any(c.status == "not-run" for c in result.cells) and result.error is None:
            result.error = timeout_error(total_seconds, f"running {path.name} (all its cells together)")
    finally:
        _restore_builtins(saved_builtins, namespace)
        if after_exec is not None:
            after_exec()
    module_found = _Harvester(notebook, harvest)
    module_found.scan("", namespace)
    result.harvested = list(module_found.found.values())[:MAX_HARVEST]
    return result


def _restore_builtins(saved: dict[str, Any], namespace: dict[str, Any]) -> None:
    """Undo the shell's additions to builtins (display, get_ipython, ...) and our input(): the probe runs with
    the builtins it started with. The notebook's functions keep finding those names in its namespace."""
    current = vars(builtins)
    for name in [n for n in current if n not in saved]:
        namespace.setdefault(name, current.pop(name))
    for name, value in saved.items():
        if current.get(name, _MISSING) is not value:
            current[name] = value


def _run_cell(shell, source: str, name: str, outcome: CellOutcome, seconds: float, cell_seconds: float,
              notebook: str) -> None:
    shell.compile.cell_name = name
    shell.execution_count = outcome.index  # IPython's "Cell In[n]" and "Out[n]" then use our cell numbers
    print(f"-- cell {outcome.index} --", flush=True)
    started = time.monotonic()
    error: BaseException | None = None
    try:
        with time_limit(seconds):
            executed = shell.run_cell(source, store_history=True)
        error = executed.error_before_exec or executed.error_in_exec
    except StepTimeout as exc:  # fired outside the cell's own code (IPython's bookkeeping)
        error = exc
    except BaseException as exc:  # anything IPython itself let through
        error = exc
    finally:
        outcome.seconds = time.monotonic() - started
        sys.stdout.flush()
        sys.stderr.flush()
    if error is None:
        outcome.status = "ok"
    elif isinstance(error, StepTimeout):
        outcome.status = "timeout"
        outcome.error = timeout_error(seconds, f"running cell {outcome.index} of the notebook")
        if seconds >= cell_seconds:
            outcome.error = StudentError("Timeout", f"stopped at the limit of {cell_seconds:g} s per cell (an endless "
                                         "loop, or more training than the grader allows).", timeout=True)
    else:
        outcome.status = "error"
        outcome.error = _cell_error(error, name, notebook)


def _cell_error(exc: BaseException, name: str, notebook: str) -> StudentError:
    if isinstance(exc, SyntaxError) and exc.filename in (name, None, "<unknown>", "<string>"):
        cell = name.rsplit("/", 1)[-1]
        return StudentError(type(exc).__name__, str(exc.msg)[:500], (f"{cell}, line {exc.lineno}: {(exc.text or '').strip()}",))
    error = student_error(exc, notebook)
    if not error.where:
        error = StudentError(error.type, error.message, (name.rsplit("/", 1)[-1],), error.timeout)
    return error


def _track(result: NotebookResult, namespace: dict[str, Any], names: frozenset[str], index: int) -> None:
    for name in names:
        value = namespace.get(name, _MISSING)
        if value is _MISSING:
            continue
        seen = result.versions.setdefault(name, [])
        if not seen or seen[-1][1] is not value:
            seen.append((index, value))


# ---------------------------------------------------------------- sandbox entry


def load_notebook(path: Path, task: dict[str, Any], writer: ObservationWriter, figures_dir: Path,
                  after_exec: Callable[[], None] | None = None) -> NotebookResult:
    """Run the notebook with the task's limits and record what happened in every cell."""
    total = float(task["load_seconds"])
    result = run_notebook(
        path,
        float(task.get("cell_seconds") or total),
        total,
        frozenset(task.get("harvest", ())),
        figures_dir=figures_dir,
        max_figures=int(task.get("max_figures", 12)),
        track=frozenset(task.get("api", {})),
        after_exec=after_exec,
    )
    writer.record("notebook.cells", [cell.to_json() for cell in result.cells])
    writer.record("notebook.names", result.names)
    for cell in result.cells:
        if cell.error is not None:
            writer.record_error(f"cell.{cell.index}.error", cell.error, {"call": f"cell {cell.index}", "heading": cell.heading})
    return result
