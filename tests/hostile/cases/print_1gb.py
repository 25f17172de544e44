# Prints 1 GB of text.
line = "x" * 1023
for _ in range(1024 * 1024):
    print(line)
