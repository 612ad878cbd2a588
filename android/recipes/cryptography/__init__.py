"""cryptography for the tablet (buildozer.spec: p4a.local_recipes = android/recipes).

python-for-android 2026.5.9 builds cryptography 46.0.3, which has no HPKE (RFC 9180);
the sealed complaints need it (issue #13: HPKE from the crypto library already pinned),
and it arrived in cryptography 47. The build itself is unchanged — the same Rust
components against p4a's OpenSSL — so this recipe only moves the version to the one
pyproject.toml pins and the tests run. tests/android/ checks the version.
"""
from pythonforandroid.recipes.cryptography import CryptographyRecipe


class PinnedCryptographyRecipe(CryptographyRecipe):
    version = "48.0.0"


recipe = PinnedCryptographyRecipe()
