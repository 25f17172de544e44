# Stops the process with os._exit(0) before training.
import os

os._exit(0)
