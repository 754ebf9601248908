"""The PyInstaller one-folder bundle builds, and its executable starts offscreen, runs the
migrations shipped inside it and shows the login window (``--smoke``)."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crm_desktop.db import head_revision

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_pyinstaller_bundle_starts_and_migrates(tmp_path: Path) -> None:
    pyinstaller = shutil.which("pyinstaller") or str(Path(sys.executable).parent / "pyinstaller")
    if not Path(pyinstaller).exists():
        pytest.fail("PyInstaller is not installed: pip install -e '.[test]' installs it")
    subprocess.run(
        [pyinstaller, "build.spec", "--noconfirm", "--distpath", str(tmp_path / "dist"),
         "--workpath", str(tmp_path / "build")],
        cwd=ROOT, check=True, capture_output=True, timeout=900,
    )
    exe = tmp_path / "dist" / "crm-desktop" / "crm-desktop"
    assert exe.exists()
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")} | {
        "HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config"),
        "QT_QPA_PLATFORM": "offscreen",
    }
    # Run from elsewhere so that nothing can be found through the source checkout.
    done = subprocess.run([str(exe), "--smoke"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "smoke ok: login window shown" in done.stdout
    db_file = home / "data" / "crm-desktop" / "crm.sqlite3"
    with sqlite3.connect(db_file) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head_revision()
