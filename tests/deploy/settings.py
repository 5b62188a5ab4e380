"""The names the app's settings table reads, and the ones the image itself reads (serve.py,
entrypoint)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from config import ProductionConfig, config_from_environ

# Read by the image around the app, not by its settings: the entrypoint and serve.py.
IMAGE_VARIABLES = {
    "HOST": "serve.py",
    "PORT": "serve.py",
    "WEB_CONCURRENCY": "serve.py",
    "WEB_THREADS": "serve.py",
    "WEB_ACCESS_LOG": "serve.py",
    "STUDYSHARE_MIGRATE": "docker-entrypoint.sh",
}


class _Recording(Mapping[str, str]):
    """An environment that remembers every name asked of it."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self.values = dict(values)
        self.asked: set[str] = set()

    def __getitem__(self, name: str) -> str:
        self.asked.add(name)
        return self.values[name]

    def get(self, name, default=None):  # type: ignore[override]
        self.asked.add(name)
        return self.values.get(name, default)

    def __contains__(self, name: object) -> bool:
        if isinstance(name, str):
            self.asked.add(name)
        return name in self.values

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


def production_settings() -> set[str]:
    """Every variable the production profile reads."""
    required = {"SECRET_KEY": "s" * 40, "DATABASE_URL": "sqlite://", "ORTHANC_URL": "http://o"}
    environ = _Recording({"STUDYSHARE_ENV": "production", **required})
    config_from_environ(environ)
    assert set(ProductionConfig.REQUIRED) <= environ.asked
    return environ.asked
