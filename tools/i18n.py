"""Keep the Qt Linguist files in step with the code.

    python tools/i18n.py update    # collect strings into resources/i18n/*.ts (pyside6-lupdate)
    python tools/i18n.py release   # build the shipped .qm files (pyside6-lrelease)
    python tools/i18n.py apply F.json  # fill translations from {"context": {"source": "译文"}}

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


def apply(table: Path, ts_dir: Path = I18N) -> list[Path]:
    """Fill translations from a JSON table ``{"context": {"source": "translation"}}``.

    Work done on several branches at once keeps its new strings in such a table instead of
    editing the .ts file (XML that merges badly); after merging: update, apply, release.
    Entries whose source is not in the .ts are reported, not silently dropped.
    """
    import json
    import xml.etree.ElementTree as ET

    wanted: dict[str, dict[str, str]] = json.loads(table.read_text(encoding="utf-8"))
    out = []
    for lang in LANGUAGES:
        ts = ts_dir / f"crm_desktop_{lang}.ts"
        tree = ET.parse(ts)
        used: set[tuple[str, str]] = set()
        for ctx in tree.getroot().iter("context"):
            name = ctx.findtext("name") or ""
            for msg in ctx.iter("message"):
                source = msg.findtext("source") or ""
                found = wanted.get(name, {}).get(source)
                if found is None:
                    continue
                tr = msg.find("translation")
                assert tr is not None
                tr.text = found
                tr.attrib.pop("type", None)
                used.add((name, source))
        missing = [(c, s) for c, table_ in wanted.items() for s in table_ if (c, s) not in used]
        for c, s in missing:
            print(f"not in {ts.name}: [{c}] {s!r}", file=sys.stderr)
        body = ET.tostring(tree.getroot(), encoding="unicode")
        ts.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n", encoding="utf-8")
        out.append(ts)
    update(ts_dir)  # lupdate writes the file back in its own layout, which the tests compare
    return out


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "update"
    if command == "apply":
        paths = [p for arg in sys.argv[2:] for p in apply(Path(arg))]
    else:
        paths = {"update": update, "release": release}[command]()
    for path in paths:
        print(path.relative_to(ROOT))
