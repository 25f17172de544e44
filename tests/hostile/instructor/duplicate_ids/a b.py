# a student whose file name maps to the same id as a_b.py
