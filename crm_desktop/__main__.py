"""``python -m crm_desktop`` and the PyInstaller bundle's entry point: the GUI."""
from __future__ import annotations

import sys

from crm_desktop.ui.app import main

if __name__ == "__main__":
    sys.exit(main())
