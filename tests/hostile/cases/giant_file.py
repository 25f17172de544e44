# Writes a 1 GB file into its working directory.
block = b"\0" * (1 << 20)
with open("giant.bin", "wb") as handle:
    for _ in range(1024):
        handle.write(block)
