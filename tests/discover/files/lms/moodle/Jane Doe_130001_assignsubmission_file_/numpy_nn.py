VERSION = "moodle"
