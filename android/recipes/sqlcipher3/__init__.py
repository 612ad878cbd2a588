"""sqlcipher3 for the tablet (buildozer.spec: p4a.local_recipes = android/recipes): the
station's database is a SQLCipher file (sync/db.py, issue #11).

python-for-android 2026.5.9 has no SQLCipher recipe. sqlcipher3 (coleifer's fork of the
standard library's sqlite3 module, DB-API 2.0, so sqlite-utils and our code use it
unchanged) ships the SQLCipher 4 amalgamation in its source distribution
(vendor/sqlite3.c, SQLCipher 4.19.0 on SQLite 3.53.4 in 0.6.4) and links only
OpenSSL's libcrypto, which p4a's own openssl recipe builds for the tablet (also used by
its python3 and cryptography recipes). So this recipe compiles the same source the
development machine builds (scripts/setup.sh installs it from the same sdist), against
p4a's OpenSSL. Why not the alternatives: apsw-sqlite3mc is not a DB-API drop-in (the
code base speaks the sqlite3 API, and sqlite-utils needs it); the `sqlcipher3-binary`
and `sqlcipher3-wheels` wheels are desktop builds with their own OpenSSL, nothing p4a
can use; pysqlcipher3 is unmaintained since 2023.

Two things differ from a plain setup.py build. The sdist's setup.py asks conan for an
OpenSSL when conan is importable: p4a's host Python has no conan, so it takes the
plain path (-lcrypto, found through the openssl recipe's -L). And pip must not build it
in an isolated environment (pyproject.toml's build requirements name conan, which would
then fetch a desktop OpenSSL): the install uses --no-build-isolation.

Checked here only as far as a machine without the Android NDK can: tools/
android_requirements.py reads this file (version = the one pyproject.toml pins and the
tests run; the url is that version's PyPI source; the recipes it depends on exist).
"""
from pythonforandroid.logger import shprint
from pythonforandroid.recipe import CompiledComponentsPythonRecipe
from pythonforandroid.util import current_directory


class Sqlcipher3Recipe(CompiledComponentsPythonRecipe):
    version = "0.6.4"
    url = "https://files.pythonhosted.org/packages/source/s/sqlcipher3/sqlcipher3-{version}.tar.gz"
    depends = ["setuptools", "openssl"]
    site_packages_name = "sqlcipher3"
    call_hostpython_via_targetpython = False

    def get_recipe_env(self, arch, with_flags_in_cc=True):
        env = super().get_recipe_env(arch, with_flags_in_cc)
        openssl = self.get_recipe("openssl", self.ctx)
        env["CFLAGS"] += openssl.include_flags(arch)
        env["LDFLAGS"] += openssl.link_dirs_flags(arch)
        env["LIBS"] = env.get("LIBS", "") + openssl.link_libs_flags()
        return env

    def install_python_package(self, arch, name=None, env=None, is_dir=True):
        env = env or self.get_recipe_env(arch)
        with current_directory(self.get_build_dir(arch.arch)):
            shprint(self._host_recipe.pip, "install", ".", "--no-build-isolation",
                    "--no-deps", "--compile", "--target",
                    self.ctx.get_python_install_dir(arch.arch), _env=env)


recipe = Sqlcipher3Recipe()
