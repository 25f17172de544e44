# Reads the home directory: its own $HOME, the grading user's home from the password database, and the
# home the grader was started with. Prints only the names and sizes it can see, then trains normally.
import os
import pwd

for home in (os.path.expanduser("~"), pwd.getpwuid(os.getuid()).pw_dir, "@FAKE_HOME@"):
    try:
        names = sorted(os.listdir(home))
    except OSError as error:
        print(f"{home}: refused ({error.strerror})")
        continue
    for name in names:
        path = os.path.join(home, name)
        try:
            if os.path.isfile(path):
                print(f"{path}: file of {len(open(path, 'rb').read())} bytes")
            elif os.path.isdir(path):
                print(f"{path}: directory with {len(os.listdir(path))} entries")
        except OSError as error:
            print(f"{path}: refused ({error.strerror})")
try:
    print("canary:", open("@FAKE_HOME@/secret_token.txt").read())
except OSError as error:
    print(f"canary: refused ({error.strerror})")
