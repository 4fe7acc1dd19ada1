"""
A PEP 517 build backend in the standard library, so `pip install ./clients/python` works with no
package index: setuptools may be installed, but without `wheel` (as on these machines) it cannot
build one, and pip's build isolation would try to download both. A pure-Python wheel is a zip of
the package plus three metadata files, which is all this writes.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile
from typing import Dict, List, Optional, Tuple

NAME = "agentledger"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _version() -> str:
    with open(os.path.join(ROOT, NAME, "__init__.py"), encoding="utf-8") as f:
        match = re.search(r'^__version__ = "([^"]+)"', f.read(), re.M)
    if match is None:
        raise RuntimeError("agentledger/__init__.py has no __version__")
    return match.group(1)


def _metadata(version: str) -> str:
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {NAME}\n"
        f"Version: {version}\n"
        "Summary: Report AI agent runs to AgentLedger (standard library only).\n"
        "License: MIT\n"
        "Requires-Python: >=3.9\n"
        "Classifier: Programming Language :: Python :: 3\n"
        "Classifier: Typing :: Typed\n"
        "Description-Content-Type: text/markdown\n"
        "\n" + readme
    )


def _package_files() -> List[str]:
    folder = os.path.join(ROOT, NAME)
    return sorted(f"{NAME}/{name}" for name in os.listdir(folder) if name.endswith(".py") or name == "py.typed")


def _record(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def _dist_info(version: str) -> Dict[str, bytes]:
    return {
        "METADATA": _metadata(version).encode("utf-8"),
        "WHEEL": b"Wheel-Version: 1.0\nGenerator: agentledger_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }


def get_requires_for_build_wheel(config_settings: Optional[dict] = None) -> List[str]:
    return []


def get_requires_for_build_sdist(config_settings: Optional[dict] = None) -> List[str]:
    return []


def prepare_metadata_for_build_wheel(metadata_directory: str, config_settings: Optional[dict] = None) -> str:
    version = _version()
    info = f"{NAME}-{version}.dist-info"
    os.makedirs(os.path.join(metadata_directory, info), exist_ok=True)
    for name, data in _dist_info(version).items():
        with open(os.path.join(metadata_directory, info, name), "wb") as f:
            f.write(data)
    return info


def build_wheel(wheel_directory: str, config_settings: Optional[dict] = None, metadata_directory: Optional[str] = None) -> str:
    version = _version()
    info = f"{NAME}-{version}.dist-info"
    wheel = f"{NAME}-{version}-py3-none-any.whl"
    entries: List[Tuple[str, bytes]] = []
    for path in _package_files():
        with open(os.path.join(ROOT, path), "rb") as f:
            entries.append((path, f.read()))
    entries += [(f"{info}/{name}", data) for name, data in _dist_info(version).items()]
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel), "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in entries:
            z.writestr(path, data)
        record = "\n".join([_record(p, d) for p, d in entries] + [f"{info}/RECORD,,"]) + "\n"
        z.writestr(f"{info}/RECORD", record)
    return wheel


def build_sdist(sdist_directory: str, config_settings: Optional[dict] = None) -> str:
    version = _version()
    base = f"{NAME}-{version}"
    files = ["pyproject.toml", "README.md", "_build/agentledger_build.py"] + _package_files()
    with tarfile.open(os.path.join(sdist_directory, f"{base}.tar.gz"), "w:gz") as tar:
        for path in files:
            tar.add(os.path.join(ROOT, path), arcname=f"{base}/{path}")
        pkg_info = _metadata(version).encode("utf-8")
        entry = tarfile.TarInfo(f"{base}/PKG-INFO")
        entry.size = len(pkg_info)
        tar.addfile(entry, io.BytesIO(pkg_info))
    return f"{base}.tar.gz"
