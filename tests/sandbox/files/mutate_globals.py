# A submission that changes every piece of global state it can reach, to see that none of it leaks
# into the next run served by the same warm parent.
import builtins
import os
import sys
import types

import numpy as np
import numpy.linalg
import torch
import torch.nn.functional

np.allclose = lambda *args, **kwargs: True  # the tamper of the bench kit's s20
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(a, b).shape, dtype=bool)
numpy.linalg.norm = lambda *args, **kwargs: 0.0
np.set_printoptions(precision=1)
np.seterr(all="ignore")
np.random.seed(123)
np.random.random(1000)
torch.manual_seed(123)
torch.rand(1000)
torch.set_default_dtype(torch.float64)
torch.set_num_threads(2)
torch.nn.functional.relu = lambda x, *args, **kwargs: x
builtins.LEAKED = "from the previous submission"
sys.modules["leaked_module"] = types.ModuleType("leaked_module")
sys.path.insert(0, "/leaked/path")
os.environ["LEAKED"] = "1"
with open("/tmp/leaked.txt", "w") as handle:
    handle.write("left behind")
(WORKDIR / "mutated").write_text("done")
