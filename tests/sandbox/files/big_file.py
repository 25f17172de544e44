# limit.txt holds the file-size limit in MB; try to write one MB more
import errno

limit_mb = int(open("limit.txt").read())
chunk = b"\0" * (1024 * 1024)
try:
    with open("big.bin", "wb") as handle:
        for _ in range(limit_mb + 1):
            handle.write(chunk)
            handle.flush()
    print("wrote the whole file")
except OSError as error:
    print("write failed:", errno.errorcode.get(error.errno, error.errno))
