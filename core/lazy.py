"""Short names for a package that load their modules on first use (PEP 562), so that importing
the package itself imports nothing else.

>>> getattr_ = lazy_names("core", {"Settings": "core.settings"})
>>> getattr_("Settings").__name__
'Settings'
"""

from collections.abc import Callable
from importlib import import_module


def lazy_names(package: str, homes: dict[str, str]) -> Callable[[str], object]:
    """A module `__getattr__` that imports `name` from its home module `homes[name]`."""

    def __getattr__(name: str) -> object:
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(homes[name]), name)

    return __getattr__
