"""What a script left in its module namespace, for a TA to read when the contract's names are missing.

Only data: numbers, strings, arrays and tensors (small ones in full, large ones by shape and a few values),
lists and dicts of those. Modules, functions and classes are the script's code, not its results.
"""
from __future__ import annotations

import types
from typing import Any

MAX_NAMES = 60
MAX_VALUES = 64
MAX_TEXT = 200


def summarise_globals(namespace: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """name -> {"type", "shape", "values" (a flat list, at most MAX_VALUES), "text"} for every data global."""
    summary: dict[str, dict[str, Any]] = {}
    for name, value in list(namespace.items()):
        if len(summary) >= MAX_NAMES:
            break
        if name.startswith("_") or isinstance(value, (types.ModuleType, types.FunctionType, type)) or callable(value):
            continue
        try:
            entry = _describe(value)
        except Exception:  # a global whose repr or conversion fails is left out, not the whole summary
            continue
        if entry is not None:
            summary[name] = entry
    return summary


def _describe(value: Any) -> dict[str, Any] | None:
    kind = type(value).__name__
    if isinstance(value, bool) or value is None:
        return {"type": kind, "text": repr(value)}
    if isinstance(value, (int, float)):
        return {"type": kind, "shape": [], "values": [float(value)], "text": repr(value)}
    if isinstance(value, str):
        return {"type": kind, "text": repr(value[:MAX_TEXT])}
    import numpy as np

    if type(value).__module__.split(".")[0] == "torch" and type(value).__name__ in ("Tensor", "Parameter"):
        value = value.detach().cpu().double().numpy()

    if isinstance(value, (np.ndarray, np.number)) or (isinstance(value, (list, tuple)) and _numeric_list(value)):
        array = np.asarray(value, dtype=np.float64)
        flat = array.ravel()[:MAX_VALUES]
        return {"type": kind, "shape": list(array.shape), "values": [float(v) for v in flat],
                "text": np.array2string(array, threshold=12, precision=4)[:MAX_TEXT]}
    if isinstance(value, (list, tuple, dict)):
        # only plain data is shown in full: a student object's __repr__ could run anything
        items = list(value.items()) if isinstance(value, dict) else list(value)
        plain = all(_plain(i) for i in items[:MAX_VALUES]) and len(items) <= MAX_VALUES
        return {"type": kind, "text": repr(value)[:MAX_TEXT] if plain else f"{kind} of {len(items)} items"}
    return None


def _plain(item: Any) -> bool:
    if isinstance(item, tuple):
        return all(_plain(i) for i in item)
    return item is None or type(item) in (bool, int, float, str)


def _numeric_list(value: Any) -> bool:
    return len(value) > 0 and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
