"""Version tags tell the guard a namespace is untouched without reading its values."""
from __future__ import annotations

import platform
import types

import pytest

from grader.probe import dict_version

pytestmark = pytest.mark.skipif(platform.python_implementation() != "CPython", reason="CPython's dict layout")


def test_this_interpreter_keeps_tags_the_guard_can_rely_on():
    assert dict_version.available()


def test_the_tag_moves_on_a_change_and_stays_on_a_read():
    module = types.ModuleType("watched")
    module.value = 1
    cell = dict_version.tag_cell(vars(module))
    before = cell.value
    assert module.value == 1 and vars(module).get("value") == 1 and list(vars(module).values())
    assert cell.value == before
    module.value = 2
    assert cell.value != before


def test_a_class_namespace_is_watched_through_its_read_only_view():
    watched = type("Watched", (), {"method": lambda self: 1})
    cell = dict_version.tag_cell(dict_version.underlying_dict(vars(watched)))
    before = cell.value
    watched.method = lambda self: 2
    assert cell.value != before
