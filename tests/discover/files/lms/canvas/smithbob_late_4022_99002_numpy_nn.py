from helpers import relu
