# Reports the global state a run starts with (numpy, torch, interpreter, environment, threads) as JSON.
import builtins
import json
import os
import sys

import numpy as np
import numpy.linalg
import torch
import torch.nn.functional


def threads() -> int:
    with open("/proc/self/status") as status:
        return int(next(line.split()[1] for line in status if line.startswith("Threads:")))


a = np.random.default_rng(0).normal(size=(300, 300))
product = a @ a  # BLAS
t = torch.randn(300, 300) @ torch.randn(300, 300)
report = {
    "allclose_1_2": bool(np.allclose(1.0, 2.0)),
    "isclose_1_2": bool(np.isclose(1.0, 2.0)),
    "norm_3_4": float(numpy.linalg.norm([3.0, 4.0])),
    "print_precision": np.get_printoptions()["precision"],
    "seterr": np.geterr(),
    "np_random_first": float(np.random.random()),
    "torch_random_first": float(torch.rand(1)),
    "torch_default_dtype": str(torch.get_default_dtype()),
    "torch_threads": torch.get_num_threads(),
    "relu_of_minus_one": float(torch.nn.functional.relu(torch.tensor([-1.0]))[0]),
    "leaked_builtin": hasattr(builtins, "LEAKED"),
    "leaked_module": "leaked_module" in sys.modules,
    "leaked_path": "/leaked/path" in sys.path,
    "leaked_env": "LEAKED" in os.environ,
    "leaked_file": os.path.exists("/tmp/leaked.txt"),
    "thread_env": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")},
    "threads_after_blas_and_torch": threads(),
}
(WORKDIR / "report.json").write_text(json.dumps(report, sort_keys=True))
