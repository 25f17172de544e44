"""Rebuild the corpus's .zip cases: `python tests/hostile/make_archives.py`.

The archives are committed (cases/*.zip); this script documents exactly what is inside each and makes
them again if the genuine solution changes. Members are written with zipfile's low-level API where a
normal archiver would refuse (paths with `..`, symbolic links).
"""
from __future__ import annotations

import stat
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
CASES = HERE / "cases"
GENUINE = HERE / "genuine"


def solution() -> str:
    return "\n\n".join((GENUINE / f"{part}.py").read_text() for part in ("classes", "train"))


def _add(archive: zipfile.ZipFile, name: str, data: bytes | str, mode: int = stat.S_IFREG | 0o644) -> None:
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.external_attr = mode << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def build() -> None:
    with zipfile.ZipFile(CASES / "zip_ok.zip", "w") as archive:
        # the way LMS downloads and students' own zips look: a folder, the main file, a helper
        _add(archive, "homework3/", b"", stat.S_IFDIR | 0o755)
        _add(archive, "homework3/numpy_nn.py", solution())
        _add(archive, "homework3/notes.txt", "trained for 2500 epochs\n")
        _add(archive, "__MACOSX/homework3/._numpy_nn.py", b"\0\5\26\7")
    with zipfile.ZipFile(CASES / "zip_dotdot.zip", "w") as archive:
        _add(archive, "numpy_nn.py", solution())
        _add(archive, "../../zip_dotdot_escaped.py", "print('grader-hostile-marker: escaped the extraction folder')\n")
    with zipfile.ZipFile(CASES / "zip_absolute.zip", "w") as archive:
        _add(archive, "numpy_nn.py", solution())
        _add(archive, "/var/tmp/zip_absolute_escaped.py", "print('grader-hostile-marker: written at an absolute path')\n")
    with zipfile.ZipFile(CASES / "zip_symlink.zip", "w") as archive:
        _add(archive, "numpy_nn.py", solution())
        _add(archive, "helper.py", "../control.py", stat.S_IFLNK | 0o777)
    with zipfile.ZipFile(CASES / "zip_bomb.zip", "w") as archive:
        # 64 MiB of zeros compress to about 64 KiB
        _add(archive, "numpy_nn.py", solution())
        _add(archive, "weights.bin", bytes(64 * 1024 * 1024))


if __name__ == "__main__":
    build()
