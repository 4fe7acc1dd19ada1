"""`pip install ./clients/python` must work offline: the in-tree backend builds a complete wheel with the standard library."""

from __future__ import annotations

import sys
import tempfile
import unittest
import zipfile
from pathlib import Path

import ledger_server  # noqa: F401  (puts the package folder on sys.path)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_build"))

import agentledger  # noqa: E402
import agentledger_build  # noqa: E402


class PackagingTests(unittest.TestCase):
    def test_the_wheel_holds_the_typed_package_and_its_metadata(self) -> None:
        self.assertEqual([], agentledger_build.get_requires_for_build_wheel())
        with tempfile.TemporaryDirectory() as folder:
            name = agentledger_build.build_wheel(folder)
            self.assertEqual(f"agentledger-{agentledger.__version__}-py3-none-any.whl", name)
            with zipfile.ZipFile(Path(folder, name)) as wheel:
                names = set(wheel.namelist())
                info = f"agentledger-{agentledger.__version__}.dist-info"
                for expected in ["agentledger/__init__.py", "agentledger/client.py", "agentledger/errors.py", "agentledger/py.typed",
                                 f"{info}/METADATA", f"{info}/WHEEL", f"{info}/RECORD"]:
                    self.assertIn(expected, names)
                metadata = wheel.read(f"{info}/METADATA").decode()
                self.assertIn("Requires-Python: >=3.9", metadata)
                self.assertNotIn("Requires-Dist", metadata)
                record = wheel.read(f"{info}/RECORD").decode()
                self.assertIn("agentledger/client.py,sha256=", record)


if __name__ == "__main__":
    unittest.main()
