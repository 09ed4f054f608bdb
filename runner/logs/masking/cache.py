"""A per-user cache of the built rule table and the compiled Hyperscan database.

Reading the TOML table, deriving every rule's literals and compiling the Hyperscan database
take a few hundred milliseconds; every `pm-runner` process would pay them on its first
masked string. They depend only on the table, this code and the Hyperscan version, so they
are kept under `$XDG_CACHE_HOME/pm-runner/` (default `~/.cache/pm-runner/`), in private
files named by a hash of those inputs and checked by a hash of their content. Anything
wrong with the cache (missing, unreadable, corrupted, a read-only home) only means
building again in memory; `PM_RUNNER_CACHE_DIR=off` disables it.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hashlib import blake2b, sha256
else:
    try:  # CPython's own SHA-256: `hashlib` loads OpenSSL's library first, a few ms of every start for two digests
        from _sha256 import sha256
    except ImportError:  # another interpreter, or Python 3.12+ (`_sha2`): the same digests through hashlib
        from hashlib import sha256
    # The content check: BLAKE2b, built into CPython, takes ~3.5 times fewer instructions a byte than its
    # SHA-256 (the prefilter's ~270 KB were ~15 M instructions of every first masking).
    try:
        from _blake2 import blake2b
    except ImportError:
        from hashlib import blake2b

CACHE_ENV = "PM_RUNNER_CACHE_DIR"
FORMAT = 2  # bump when what is cached changes shape (2: content checked by BLAKE2b)
_MAGIC = b"pmr-masking\n"


def cache_dir() -> Path | None:
    configured = os.environ.get(CACHE_ENV)
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pm-runner"


def cache_key(*parts: bytes | str) -> str:
    digest = sha256()
    for part in (str(FORMAT), sys.version.split()[0], platform.machine(), *parts):
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()[:32]


def cached(name: str, key: str, build: Callable[[], tuple[dict[str, Any], bytes]]) -> tuple[dict[str, Any], bytes]:
    """(json document, binary blob) from the cache file `name-key`, else from `build()` (then stored)."""
    folder = cache_dir()
    path = folder / f"{name}-{key}.bin" if folder is not None else None
    if path is not None:
        loaded = _read(path)
        if loaded is not None:
            return loaded
    document, blob = build()
    if path is not None:
        _write(path, document, blob)
    return document, blob


def _checksum(data: bytes) -> bytes:
    return blake2b(data, digest_size=32).digest()


def _read(path: Path) -> tuple[dict[str, Any], bytes] | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not data.startswith(_MAGIC):
        return None
    rest = data[len(_MAGIC):]
    checksum, sizes, body = rest[:32], rest[32:48], rest[48:]
    if _checksum(sizes + body) != checksum:
        return None
    json_size = int.from_bytes(sizes[:8], "big")
    blob_size = int.from_bytes(sizes[8:], "big")
    if json_size + blob_size != len(body):
        return None
    try:
        document = json.loads(body[:json_size])
    except ValueError:
        return None
    return (document, body[json_size:]) if isinstance(document, dict) else None


def _write(path: Path, document: dict[str, Any], blob: bytes) -> None:
    encoded = json.dumps(document, separators=(",", ":")).encode()
    sizes = len(encoded).to_bytes(8, "big") + len(blob).to_bytes(8, "big")
    payload = _MAGIC + _checksum(sizes + encoded + blob) + sizes + encoded + blob
    import tempfile  # only a cache miss writes: a reader that finds the cache does not load it (nor shutil)

    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".masking-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
            os.replace(temp, path)
        except BaseException:
            os.unlink(temp)
            raise
    except OSError:
        pass  # a read-only or full cache folder: the next process builds again
