from tests.sandbox.entries import PREPARATIONS

print("forks prepared by the parent:", PREPARATIONS.count)
