# Tries files that uid 0 may read even without capabilities: password hashes, SSH host keys, other
# processes' environments and memory. Prints only whether each was readable, then trains normally.
import glob
import os

paths = ["/etc/shadow", "/etc/gshadow", *glob.glob("/etc/ssh/ssh_host_*key"), "/proc/1/environ", "/proc/1/mem",
         "/proc/kcore", "/root/.bash_history", "/root/.ssh/id_rsa"]
for path in paths:
    try:
        with open(path, "rb") as handle:
            size = len(handle.read(4096))
        print(f"{path}: readable ({size} bytes)" if size else f"{path}: empty")
    except OSError as error:
        print(f"{path}: refused ({error.strerror})")
