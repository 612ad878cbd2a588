"""The tablet's entry point: python-for-android starts main.py (see buildozer.spec).
It opens the station app with its data in the app's private storage. On a computer,
use `sanji app --data DIR` instead."""
import os
import sys

from app.device import NotOnDevice, android_data_dir

if __name__ == "__main__":
    try:
        data_dir = android_data_dir(os.environ)
    except NotOnDevice as exc:
        print(exc, file=sys.stderr)
        sys.exit(2)
    from app.ui.main import run_app   # Kivy (and its window) only once we know where data is
    run_app(data_dir)
