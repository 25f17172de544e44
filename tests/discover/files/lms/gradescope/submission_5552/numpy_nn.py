VERSION = "group"
