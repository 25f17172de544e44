import sys

line = "x" * 1023 + "\n"
for _ in range(10 * 1024):  # 10 MB
    sys.stdout.write(line)
print("done printing")
