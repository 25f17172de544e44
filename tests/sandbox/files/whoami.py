# reports the run's identity, then tries to read each file listed in targets.txt (if any) and to write in the workdir
import os

print(f"uid: {os.getuid()} {os.geteuid()}")
print(f"gid: {os.getgid()} {os.getegid()}")
print(f"groups: {os.getgroups()}")
targets = open("targets.txt").read().split() if os.path.exists("targets.txt") else []
for target in targets:
    try:
        with open(target, "rb") as handle:
            print(f"{target}: read {handle.read()!r}")
    except OSError as error:
        print(f"{target}: refused ({error.strerror})")
with open("written.txt", "w") as handle:
    handle.write("ok")
print("write in the workdir: allowed")
