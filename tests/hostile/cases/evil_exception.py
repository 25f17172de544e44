# Raises an exception that cannot be printed: its str() raises and its repr() never returns.
class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("no message for you")

    def __repr__(self):
        while True:
            pass


raise Unprintable()
