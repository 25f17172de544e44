# Waits for input at import time, before training.
answer = input("Press enter to start training: ")
