# A folder whose helper files are symbolic links to another student's solution, /etc/passwd and the class
# folder; the script tries to read them, then trains normally.
import os

for name in ("helper.py", "passwd", "class"):
    try:
        if os.path.isdir(name):
            print(f"{name}: lists {sorted(os.listdir(name))}")
        else:
            print(f"{name}: read {open(name).read()}")
    except OSError as error:
        print(f"{name}: refused ({error.strerror})")
