"""What the learner's kit and the Gradescope bundle share: which engine files travel, and zips
that are the same byte for byte whenever their sources are (fixed timestamps, sorted names)."""
from __future__ import annotations

import zipfile
from pathlib import Path

from autograder.assignments import PACKAGE_DIR

ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def is_build_litter(relative: Path) -> bool:
    """Caches and hidden files, which never travel."""
    return (any(part == "__pycache__" or part.startswith(".") for part in relative.parts)
            or relative.suffix == ".pyc")


def engine_files() -> dict[Path, Path]:
    """Every file of the `autograder` package: path inside the package -> file on disk."""
    return {path.relative_to(PACKAGE_DIR): path for path in sorted(PACKAGE_DIR.rglob("*"))
            if path.is_file() and not is_build_litter(path.relative_to(PACKAGE_DIR))}


def add_to_zip(archive: zipfile.ZipFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.external_attr = (mode & 0xFFFF) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)
