# Forks at import time and lets both processes go on: the child runs the rest of the script (and
# whatever runs after it) as well.
import os

os.fork()
