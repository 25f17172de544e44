# grows until the address-space limit refuses more memory
blocks = []
while True:
    blocks.append(bytearray(50 * 1024 * 1024))
