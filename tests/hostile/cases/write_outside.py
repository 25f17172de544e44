# Tries to write outside its working directory: the class folder, the output folder, the grader's code,
# the installed numpy, the rubric, /etc, /var/tmp and a folder next to the class. Then trains normally.
import os

import grader

targets = [
    "@CLASS_DIR@/control.py", "@CLASS_DIR@/planted.py", "@OUT_DIR@/numpy_nn/gradebook.csv",
    "@OUTSIDE_DIR@/escaped.txt", "@GRADER_HOME@/rubrics/numpy_nn.toml", "@REPO@/rubrics/numpy_nn.toml",
    os.path.join(os.path.dirname(grader.__file__), "probe", "channel.py"),
    os.path.join(os.path.dirname(np.__file__), "__init__.py"),
    "/etc/hosts", "/var/tmp/grader_hostile_escape.txt", "/root/grader_hostile_escape.txt",
]
for path in targets:
    try:
        with open(path, "a") as handle:
            handle.write("\n# written by a submission (grader-hostile-marker)\n")
        print(f"{path}: written")
    except OSError as error:
        print(f"{path}: refused ({error.strerror})")
