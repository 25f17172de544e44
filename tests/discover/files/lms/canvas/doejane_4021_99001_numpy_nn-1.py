VERSION = "second upload"
