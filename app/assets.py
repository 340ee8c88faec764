"""Where the page's own files are: inside the package when ptlab is installed from a wheel
(pip, pipx, uv tool), at the top of the checkout when it runs from one.

The project keeps ``static/`` and ``templates/`` at its top; the build maps them into the
package as ``app/static`` and ``app/templates`` (pyproject.toml), so an installed ptlab serves
everything from any directory.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def asset_dir(name: str) -> Path:
    """The directory ``name`` (static, templates): the installed package's, else the checkout's."""
    inside = PACKAGE / name
    return inside if inside.is_dir() else PACKAGE.parent / name


STATIC = asset_dir("static")
TEMPLATES = asset_dir("templates")
