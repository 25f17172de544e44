VERSION = "first upload"
