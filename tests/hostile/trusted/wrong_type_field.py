# Correct, then appends one observation line with the right sequence number but a wrong type in a field
# (an int where the list of source lines is expected), as the grader's last line.
import json
import os

_index = os.path.join(os.path.dirname(os.getcwd()), "observations", "index.jsonl")
_gd_update = NPModel.gd_update


def gd_update(self, lr):
    _gd_update(self, lr)
    try:
        with open(_index) as handle:
            count = sum(1 for _ in handle)
        line = {"type": "obs", "key": "mse.forward[b4]", "meta": {},
                "error": {"type": "ValueError", "message": "x", "where": 7, "timeout": False}, "seq": count}
        with open(_index, "a") as handle:
            handle.write(json.dumps(line) + "\n")
    except OSError as error:
        print(f"refused ({error})")


NPModel.gd_update = gd_update
