# Dereferences a null pointer through ctypes: a crash in C code (SIGSEGV) before training.
import ctypes

ctypes.string_at(0)
