# Stops the script with sys.exit(0) before training.
import sys

sys.exit(0)
