"""Process-wide test environment. Kept minimal: per-area fixtures live in the sub-folders.

Kivy reads these variables when it is first imported, so they are set here, before any test
module can import it: no command-line parsing by Kivy (it would eat pytest's arguments), a
throw-away KIVY_HOME (no config or logs in the user's home), and SDL's offscreen driver, which
renders for real through Mesa/EGL without an X server (see DESIGN.md, "Kivy, verified ...").
"""

import atexit
import os
import shutil
import tempfile

_kivy_home = tempfile.mkdtemp(prefix="sanji-kivy-home-")
atexit.register(shutil.rmtree, _kivy_home, ignore_errors=True)

os.environ["KIVY_NO_ARGS"] = "1"
os.environ["KIVY_HOME"] = _kivy_home
os.environ["KIVY_NO_FILELOG"] = "1"
# Leave Python logging alone so pytest captures Kivy's log lines and shows them on failure.
os.environ["KIVY_LOG_MODE"] = "PYTHON"
os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
