VERSION = "nested"
