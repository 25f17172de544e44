# Grows a list of 8 MB arrays until the memory limit stops it.
hoard = []
while True:
    hoard.append(np.ones(1_000_000))
