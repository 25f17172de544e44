"""What the probe runtime records besides the probe's own observations: the API names and the open plots."""
from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from grader.observations import read_observations  # noqa: E402
from grader.probe.channel import ObservationWriter  # noqa: E402
from grader.probe.figures import count_open_figures  # noqa: E402
from grader.probe.runtime import _record_api  # noqa: E402


class Model:
    def forward(self, x):
        return x


def fit(x):
    return x


def test_functions_and_constants_listed_without_methods_only_have_to_exist(tmp_path):
    writer = ObservationWriter(tmp_path)
    namespace = {"Model": Model, "fit": fit, "LR": 0.1, "NotAClass": fit}
    api = {"Model": ["forward(x)", "backward(g)"], "fit": [], "LR": [], "missing": [], "NotAClass": ["forward(x)"]}
    _record_api(writer, namespace, api)
    found = {key[4:]: obs.value for key, obs in read_observations(tmp_path).items.items()}
    assert found["Model"] == {"defined": True, "methods": {"forward": ["x"], "backward": None}}
    assert found["fit"]["defined"] and found["LR"]["defined"]
    assert not found["missing"]["defined"]
    assert not found["NotAClass"]["defined"]  # listed with methods: must be a class
    json.dumps(found)


def test_count_open_figures_counts_axes_with_something_drawn():
    plt.close("all")
    assert count_open_figures() == (0, 0)
    fig, (left, right) = plt.subplots(1, 2)
    left.semilogy([1.0, 0.1, 0.01])
    plt.figure()
    plt.scatter([0, 1], [1, 0])
    try:
        assert count_open_figures() == (2, 2)  # the empty right-hand panel does not count
    finally:
        plt.close("all")
