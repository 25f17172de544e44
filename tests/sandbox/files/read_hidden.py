# targets.txt lists paths outside the workdir; report what can be seen of each
import os

for target in open("targets.txt").read().split():
    for path in (target, "/proc/1/root" + target):
        try:
            if os.path.isdir(path):
                print(f"{path}: listed {sorted(os.listdir(path))}")
            else:
                with open(path, "rb") as handle:
                    print(f"{path}: read {handle.read()!r}")
        except OSError as error:
            print(f"{path}: refused ({error.strerror})")
