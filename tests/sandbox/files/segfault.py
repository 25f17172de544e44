import ctypes

print("dereferencing NULL")
ctypes.string_at(0)
