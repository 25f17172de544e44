# Reads the result store and the gradebook of the run, and tries to give itself full marks in them.
import sqlite3

for path in ("@OUT_DIR@/numpy_nn/results.sqlite", "@OUT_DIR@/numpy_nn/gradebook.csv"):
    try:
        print(f"{path}: {open(path, 'rb').read()[:200]!r}")
    except OSError as error:
        print(f"{path}: refused ({error.strerror})")
try:
    store = sqlite3.connect("@OUT_DIR@/numpy_nn/results.sqlite")
    store.execute("UPDATE results SET payload = replace(payload, '\"score\": 0.0', '\"score\": 6.0')")
    store.commit()
    print("store: updated")
except sqlite3.Error as error:
    print(f"store: refused ({error})")
