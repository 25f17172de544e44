# a module a pool preloads from a folder only root may enter (tests/sandbox/test_runuid.py)
VALUE = 1
