VERSION = "gs"
