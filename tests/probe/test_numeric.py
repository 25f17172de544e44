"""The probes' shared float64 conversion: tensors of any kind become float64 copies, without loading torch."""
from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pytest
import torch

from grader.probe.channel import ObservationWriter
from grader.probe.numeric import as_float64, is_tensor


class MarkedTensor(torch.Tensor):
    """A tensor subclass defined outside torch, as a submission may define one."""


def _tensors() -> dict[str, torch.Tensor]:
    grid = torch.linspace(-2.5, 3.5, 12)
    return {
        "float32": grid.reshape(3, 4),
        "float64": grid.double().reshape(4, 3),
        "float16": grid.half(),
        "int64": torch.arange(-3, 5),
        "bool": grid > 0,
        "0-d": torch.tensor(1.25),
        "requires grad": grid.clone().requires_grad_(True) * 2,
        "parameter": torch.nn.Parameter(grid.reshape(2, 6)),
        "transposed": grid.reshape(3, 4).t(),
        "subclass": grid.as_subclass(MarkedTensor),
    }


def _recorded_bytes(directory, value) -> bytes:
    writer = ObservationWriter(directory)
    writer.record("k", value)
    return (directory / "00001.npy").read_bytes()


@pytest.mark.parametrize("name", sorted(_tensors()))
def test_a_tensor_is_recorded_as_the_float64_copy_the_probes_made_themselves(name, tmp_path):
    tensor = _tensors()[name]
    converted = as_float64(tensor)
    # what each probe used to write for itself
    by_hand = tensor.detach().cpu().double().numpy().copy()
    assert converted.dtype == np.float64 and converted.shape == by_hand.shape and converted.flags.owndata
    assert np.array_equal(converted, by_hand)
    assert _recorded_bytes(tmp_path / "shared", converted) == _recorded_bytes(tmp_path / "by_hand", by_hand)


def test_the_copy_does_not_share_memory_with_the_tensor():
    tensor = torch.zeros(5, dtype=torch.float64)
    converted = as_float64(tensor)
    tensor += 1
    assert np.array_equal(converted, np.zeros(5))


def test_bfloat16_which_numpy_lacks_is_converted_by_torch():
    tensor = torch.tensor([0.5, -2.0, 3.0], dtype=torch.bfloat16)
    assert np.array_equal(as_float64(tensor), np.array([0.5, -2.0, 3.0]))


def test_arrays_numbers_and_lists_are_copied_as_before():
    array = np.arange(6, dtype=np.float32).reshape(2, 3)
    converted = as_float64(array)
    assert converted.dtype == np.float64 and np.array_equal(converted, array)
    assert not np.shares_memory(converted, array)
    assert as_float64(2).shape == () and as_float64([[1, 2], [3, 4]]).shape == (2, 2)


def test_only_tensors_count_as_tensors():
    # a text stream has a detach() too: calling it would cut the stream off its buffer
    stream = io.TextIOWrapper(io.BytesIO())
    assert not is_tensor(stream) and not is_tensor(np.zeros(3)) and not is_tensor([1.0])
    assert is_tensor(torch.zeros(2)) and is_tensor(torch.nn.Parameter(torch.zeros(2)))
    with pytest.raises(TypeError):
        as_float64(stream)
    assert not stream.closed and stream.buffer is not None


def test_converting_numpy_values_does_not_load_torch():
    script = ("import sys; from grader.probe.numeric import as_float64, is_tensor; "
              "as_float64([1.0, 2.0]); is_tensor(3.0); print('torch' in sys.modules)")
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "False"
