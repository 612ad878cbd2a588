"""The tablet's entry point (main.py, started by python-for-android) keeps the station's
data in the app's private storage, and says what to do when started elsewhere."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.device import NotOnDevice, android_data_dir
from tests.support.hubs import ROOT


def test_the_data_lives_in_the_apps_private_storage() -> None:
    private = "/data/user/0/cn.sanji.sanji/files/app"
    assert android_data_dir({"ANDROID_PRIVATE": private}) == Path(private) / "sanji"
    for environ in ({}, {"ANDROID_PRIVATE": "  "}):
        with pytest.raises(NotOnDevice, match="sanji app --data"):
            android_data_dir(environ)


def test_main_py_on_a_computer_points_to_sanji_app_and_opens_no_window() -> None:
    env = {k: v for k, v in os.environ.items() if k != "ANDROID_PRIVATE"}
    done = subprocess.run([sys.executable, "main.py"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env={**env, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 2
    assert "sanji app --data" in done.stderr and "Kivy" not in done.stderr
