"""Mutation operators: each finds sites in the reference's syntax tree and proposes a replacement for one node.

Only code inside functions is mutated (the module's imports, constants and data recipe are the handout's), and
nothing inside calls that only print or plot. A mutant is the reference with exactly one node's source text
replaced by the unparsed mutated node, so its diff is one small hunk.

| operator | what it does |
|---|---|
| sign_flip | `a + b` <-> `a - b`, `-x` -> `x`, `+=` <-> `-=` |
| dropped_term | `a + b` -> `a` or `b`, `a - b` -> `a` |
| sum_mean | `.sum(...)` <-> `.mean(...)` (methods and `np.`/`torch.` functions) |
| transpose | `x.T` -> `x`, `x.t()`/`x.transpose(...)` -> `x`, `a @ b` -> `b @ a` |
| off_by_one | slice bounds and constant indices +-1, `range(n)` -> `range(n - 1)` |
| swapped_arguments | the first two positional arguments of a call swapped |
| gradient_step | a statement calling `zero_grad()`, `backward()` or `step()` removed; `.detach()` removed; `x = ...` -> `x += ...` for attributes |
| changed_constant | a number doubled (floats) or incremented (ints) |
| comparison | `>` <-> `>=`, `<` <-> `<=` |
"""
from __future__ import annotations

import ast
import copy
from dataclasses import dataclass
from typing import Callable, Iterator

_QUIET_CALLS = {"print", "format", "repr", "str", "warn", "info", "debug", "savefig", "plot", "show", "figure",
                "legend", "title", "xlabel", "ylabel", "scatter", "hist", "subplots", "set_title", "set_xlabel",
                "set_ylabel", "imshow", "tight_layout", "close"}
_GRADIENT_CALLS = {"zero_grad", "backward", "step"}


@dataclass(frozen=True)
class Site:
    """One proposed mutation: replace `node`'s source text with `replacement`."""

    operator: str
    node: ast.AST
    replacement: str
    label: str


def _name_of_call(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _unparse(node: ast.AST) -> str:
    return ast.unparse(node)


def _with(node: ast.AST, **changes) -> ast.AST:
    new = copy.deepcopy(node)
    for key, value in changes.items():
        setattr(new, key, value)
    return new


def sign_flip(node: ast.AST) -> Iterator[tuple[str, str]]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        op = ast.Sub() if isinstance(node.op, ast.Add) else ast.Add()
        yield _unparse(_with(node, op=op)), "+ -> -" if isinstance(node.op, ast.Add) else "- -> +"
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        yield _unparse(node.operand), "-x -> x"
    elif isinstance(node, ast.AugAssign) and isinstance(node.op, (ast.Add, ast.Sub)):
        op = ast.Sub() if isinstance(node.op, ast.Add) else ast.Add()
        yield _unparse(_with(node, op=op)), "+= -> -=" if isinstance(node.op, ast.Add) else "-= -> +="


def dropped_term(node: ast.AST) -> Iterator[tuple[str, str]]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        yield f"({_unparse(node.left)})", "drop the right term"
        if isinstance(node.op, ast.Add):
            yield f"({_unparse(node.right)})", "drop the left term"


def sum_mean(node: ast.AST) -> Iterator[tuple[str, str]]:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("sum", "mean"):
        other = "mean" if node.func.attr == "sum" else "sum"
        yield _unparse(_with(node, func=_with(node.func, attr=other))), f"{node.func.attr} -> {other}"


def transpose(node: ast.AST) -> Iterator[tuple[str, str]]:
    if isinstance(node, ast.Attribute) and node.attr == "T" and isinstance(node.ctx, ast.Load):
        yield f"({_unparse(node.value)})", "drop .T"
    elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("t", "transpose")
          and not (isinstance(node.func.value, ast.Name) and node.func.value.id in ("np", "numpy", "torch"))):
        yield f"({_unparse(node.func.value)})", f"drop .{node.func.attr}()"
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        yield _unparse(_with(node, left=node.right, right=node.left)), "a @ b -> b @ a"


def _int_constant(node: ast.AST | None) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
            and type(node.operand.value) is int:
        return -node.operand.value
    return None


def off_by_one(node: ast.AST) -> Iterator[tuple[str, str]]:
    if isinstance(node, ast.Slice):
        for bound in ("lower", "upper"):
            value = _int_constant(getattr(node, bound))
            if value is not None:
                for delta in (1, -1):
                    if value + delta != 0 or bound == "lower":
                        yield _unparse(_with(node, **{bound: ast.Constant(value + delta)})), f"slice {bound} {value} -> {value + delta}"
    elif isinstance(node, ast.Subscript) and not isinstance(node.slice, (ast.Slice, ast.Tuple)):
        value = _int_constant(node.slice)
        if value is not None:
            yield _unparse(_with(node, slice=ast.Constant(value + 1))), f"index {value} -> {value + 1}"
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range" and node.args:
        args = list(node.args)
        stop = 0 if len(args) == 1 else 1
        args[stop] = ast.BinOp(args[stop], ast.Sub(), ast.Constant(1))
        yield _unparse(_with(node, args=args)), "range stop - 1"


def swapped_arguments(node: ast.AST) -> Iterator[tuple[str, str]]:
    if isinstance(node, ast.Call) and len(node.args) >= 2 and not any(isinstance(a, ast.Starred) for a in node.args[:2]):
        if _unparse(node.args[0]) != _unparse(node.args[1]):
            args = [node.args[1], node.args[0], *node.args[2:]]
            yield _unparse(_with(node, args=args)), "swap the first two arguments"


def gradient_step(node: ast.AST) -> Iterator[tuple[str, str]]:
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and _name_of_call(node.value) in _GRADIENT_CALLS:
        yield "pass", f"remove the {_name_of_call(node.value)}() call"
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "detach" and not node.args:
        yield f"({_unparse(node.func.value)})", "drop .detach()"
    elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Attribute) \
            and node.targets[0].attr.endswith("grad"):
        yield _unparse(ast.AugAssign(node.targets[0], ast.Add(), node.value)), "= -> += (accumulate)"


def changed_constant(node: ast.AST) -> Iterator[tuple[str, str]]:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        if type(node.value) is float:
            new = node.value * 2 if node.value else 1.0
            yield repr(new), f"{node.value!r} -> {new!r}"
        else:
            yield repr(node.value + 1), f"{node.value} -> {node.value + 1}"


def comparison(node: ast.AST) -> Iterator[tuple[str, str]]:
    swaps = {ast.Gt: (ast.GtE, "> -> >="), ast.GtE: (ast.Gt, ">= -> >"), ast.Lt: (ast.LtE, "< -> <="), ast.LtE: (ast.Lt, "<= -> <")}
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in swaps:
        new, label = swaps[type(node.ops[0])]
        yield _unparse(_with(node, ops=[new()])), label


OPERATORS: dict[str, Callable[[ast.AST], Iterator[tuple[str, str]]]] = {
    "sign_flip": sign_flip,
    "dropped_term": dropped_term,
    "sum_mean": sum_mean,
    "transpose": transpose,
    "off_by_one": off_by_one,
    "swapped_arguments": swapped_arguments,
    "gradient_step": gradient_step,
    "changed_constant": changed_constant,
    "comparison": comparison,
}


def sites(tree: ast.Module) -> list[Site]:
    """Every mutation the operators propose for code inside the module's functions, in source order."""
    found: list[Site] = []

    def visit(node: ast.AST, in_function: bool, quiet: bool) -> None:
        if isinstance(node, ast.JoinedStr):
            return
        if isinstance(node, ast.Call) and _name_of_call(node) in _QUIET_CALLS:
            quiet = True
        if in_function and not quiet and hasattr(node, "lineno"):
            for name, operator in OPERATORS.items():
                for replacement, label in operator(node):
                    found.append(Site(name, node, replacement, label))
        body_is_function = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        for child in ast.iter_child_nodes(node):
            if body_is_function and child in getattr(node, "decorator_list", ()):
                continue
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and child is node.args:
                continue  # default values are part of the signature the handout fixes
            if _is_docstring(node, child):
                continue
            visit(child, in_function or body_is_function, quiet)

    visit(tree, False, False)
    return found


def _is_docstring(parent: ast.AST, child: ast.AST) -> bool:
    body = getattr(parent, "body", None)
    return (isinstance(body, list) and body and child is body[0] and isinstance(child, ast.Expr)
            and isinstance(child.value, ast.Constant) and isinstance(child.value.value, str))


def apply_site(source: str, site: Site) -> str:
    """The source with the site's node replaced by its replacement text (offsets are UTF-8 byte columns)."""
    node = site.node
    data = source.encode("utf-8")
    starts = [0]
    for line in source.encode("utf-8").splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    begin = starts[node.lineno - 1] + node.col_offset
    end = starts[node.end_lineno - 1] + node.end_col_offset
    # a multi-line node becomes one line; statements keep their indentation (the replacement starts at the column)
    return (data[:begin] + site.replacement.encode("utf-8") + data[end:]).decode("utf-8")
