# A busy loop that ignores SIGTERM, SIGINT and SIGALRM (the per-step timer) and swallows every exception,
# so only the wall-clock limit of the whole run can stop it.
import signal

for number in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM, signal.SIGHUP):
    signal.signal(number, signal.SIG_IGN)
while True:
    try:
        while True:
            pass
    except BaseException:
        pass
