# tries to undo or get around the sandbox; each line reports "<attempt>: refused (...)" or "<attempt>: allowed"
import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)


def report(label, action):
    try:
        action()
        print(f"{label}: allowed")
    except OSError as error:
        print(f"{label}: refused ({error.strerror})")


def libc_call(name, *args):
    def call():
        if getattr(libc, name)(*args) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))
    return call


def write_outside():
    # outside.txt names a directory outside the workdir that the test can write to
    target = os.path.join(open("outside.txt").read().strip(), "escaped.txt")
    with open(target, "w") as handle:
        handle.write("escaped")


def same_value_sysctl():
    # writes the current value back, so success would change nothing on the host
    path = "/proc/sys/kernel/core_pattern"
    value = open(path).read()
    with open(path, "w") as handle:
        handle.write(value)


def leave_cgroup():
    with open("/sys/fs/cgroup/pids/cgroup.procs", "w") as handle:
        handle.write("0")


def host_network():
    fd = os.open("/proc/1/ns/net", os.O_RDONLY)
    libc_call("setns", fd, 0x40000000)()


capabilities = [l for l in open("/proc/self/status") if l.startswith("CapEff")][0].split()[1]
print(f"effective capabilities: {capabilities}")
report("write outside the workdir", write_outside)
report("write a sysctl", same_value_sysctl)
report("leave the pids cgroup", leave_cgroup)
report("remount / read-write", libc_call("mount", None, b"/", None, 0x20 | 0x1000, None))
report("unmount /tmp", libc_call("umount2", b"/tmp", 2))
report("join the host network namespace", host_network)
report("write in the workdir", lambda: open("inside.txt", "w").write("ok"))
report("write in /tmp", lambda: open("/tmp/scratch.txt", "w").write("ok"))
report("write in TMPDIR", lambda: open(os.path.join(os.environ["TMPDIR"], "scratch.txt"), "w").write("ok"))
print("visible processes:", sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))
