# An infinite loop at import time, after the classes and before training.
while True:
    pass
