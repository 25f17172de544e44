# Correct, and leaves 1500 nested folders in its work folder, some of them without any permission.
import os


def _nest(depth):
    parent = os.open(".", os.O_RDONLY)
    locked = []
    for level in range(depth):
        os.mkdir("d", dir_fd=parent)
        child = os.open("d", os.O_RDONLY, dir_fd=parent)
        if level % 400 == 399:
            locked.append(os.dup(child))
        os.close(parent)
        parent = child
    os.close(parent)
    for fd in locked:  # last, or the folders below could not have been made
        os.fchmod(fd, 0)
        os.close(fd)


_nest(1500)
