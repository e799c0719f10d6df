"""{{ description }}"""

__version__ = "0.1.0"


def greet(name: str = "world") -> str:
    """Return a greeting for ``name``."""
    return f"Hello, {name}!"
