"""reportlab for the tablet (buildozer.spec: p4a.local_recipes = android/recipes).

python-for-android's own reportlab recipe builds a 2016 snapshot from ReportLab's old
Mercurial server, patches its setup.py and fetches extra fonts with wget. Since 4.0
reportlab is pure Python (the C accelerator became the optional rl_accel package), so
this recipe, which p4a prefers to its own, just installs the release the tests run,
built like p4a's httpx recipe; its images need Pillow, which p4a builds.
tests/android/test_buildozer_spec.py checks the version against pyproject.toml.
"""
from pythonforandroid.recipe import PyProjectRecipe


class ReportLabRecipe(PyProjectRecipe):
    name = "reportlab"
    version = "5.1.0"
    url = "https://pypi.python.org/packages/source/r/reportlab/reportlab-{version}.tar.gz"
    depends = ["pillow"]


recipe = ReportLabRecipe()
