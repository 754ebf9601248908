"""Keep the Qt Linguist files in step with the code.

    python tools/i18n.py update    # collect strings into resources/i18n/*.ts (pyside6-lupdate)
    python tools/i18n.py release   # build the shipped .qm files (pyside6-lrelease)

Translators edit the .ts files with Qt Linguist (pyside6-linguist); both files are committed.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
I18N = ROOT / "resources" / "i18n"
LANGUAGES = ("zh_CN",)


def _tool(name: str) -> str:
    found = shutil.which(f"pyside6-{name}") or str(Path(sys.executable).parent / f"pyside6-{name}")
    return found


def sources() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "crm_desktop").rglob("*.py"))


def update(ts_dir: Path = I18N) -> list[Path]:
    ts_dir.mkdir(parents=True, exist_ok=True)
    out = []
    for lang in LANGUAGES:
        ts = ts_dir / f"crm_desktop_{lang}.ts"
        subprocess.run([_tool("lupdate"), "-no-obsolete", "-locations", "none", *sources(), "-ts", str(ts)],
                       cwd=ROOT, check=True, capture_output=True)
        out.append(ts)
    return out


def release(ts_dir: Path = I18N, qm_dir: Path = I18N) -> list[Path]:
    out = []
    for lang in LANGUAGES:
        ts = ts_dir / f"crm_desktop_{lang}.ts"
        qm = qm_dir / f"crm_desktop_{lang}.qm"
        subprocess.run([_tool("lrelease"), str(ts), "-qm", str(qm)], cwd=ROOT, check=True, capture_output=True)
        out.append(qm)
    return out


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "update"
    for path in {"update": update, "release": release}[command]():
        print(path.relative_to(ROOT))
