# Has no solution of its own: looks for the other students' files (in the class folder, next to its own
# working directory, and under every mount point it can see) and hands in the first solution it finds.
import os

candidates = ["@CLASS_DIR@/control.py", "../control.py", "../../control.py"]
for line in open("/proc/self/mountinfo"):
    mount_point = line.split()[4]
    for root, _, files in os.walk(mount_point):
        candidates += [os.path.join(root, name) for name in files if name.endswith(".py") and "control" in name]
        if root.count("/") > 6:
            break
found = None
for path in candidates:
    try:
        text = open(path).read()
        print(f"{path}: read {len(text)} characters\n{text}")
        if "class NPModel" in text:
            found = found or text
    except OSError as error:
        print(f"{path}: refused ({error.strerror})")
if found:
    exec(found)
