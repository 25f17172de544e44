VERSION = "third upload"
