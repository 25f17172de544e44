"""hw6_support.py, saved under the wrong name by the Colab cell."""
import numpy as np

def plotRegression(*args, **kwargs):
    raise RuntimeError("this is the support file of homework 6")
