# writes what a graded run writes (observations through the probe's writer, a figure, a temporary file),
# then leaves a folder without any permission for the clean-up to deal with
import os

import numpy as np

from grader.probe.channel import ObservationWriter

writer = ObservationWriter(WORKDIR / "observations")
writer.record("weights", np.arange(3.0))
writer.finish()
(WORKDIR / "figures").mkdir()
(WORKDIR / "figures" / "figure_1.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
with open(os.path.join(os.environ["TMPDIR"], "scratch.txt"), "w") as handle:
    handle.write("ok")
(WORKDIR / "locked" / "inner").mkdir(parents=True)
(WORKDIR / "locked" / "inner" / "file.txt").write_text("x")
os.chmod(WORKDIR / "locked" / "inner", 0)
os.chmod(WORKDIR / "locked", 0)
print("written")
