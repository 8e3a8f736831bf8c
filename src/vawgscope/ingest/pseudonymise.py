"""Pseudonymisation of person ids with HMAC-SHA256 under a secret kept outside the store.

The secret is a file of 64 hex characters, created on first use with owner-only permissions.
Its path is, in order: the ``--secret`` option, the ``VAWGSCOPE_SECRET_FILE`` environment
variable, or ``~/.config/vawgscope/secret.key`` (``$XDG_CONFIG_HOME`` is honoured). The lookup
from each pseudonym back to the original id is written beside the secret, in
``pseudonyms/<store name>-<hash of the store path>.parquet``, never into the store, so that an
authorised analyst holding the secret can re-identify a restricted list later.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import pyarrow as pa

SECRET_ENV = "VAWGSCOPE_SECRET_FILE"
PSEUDONYM_PREFIX = "p_"


def default_secret_path() -> Path:
    """Where the secret lives when neither ``--secret`` nor the environment says."""
    if os.environ.get(SECRET_ENV):
        return Path(os.environ[SECRET_ENV]).expanduser()
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return config / "vawgscope" / "secret.key"


def load_or_create_secret(path: Path) -> bytes:
    """Read the secret at ``path``, creating it (32 random bytes, mode 600) when absent."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    text = path.read_text().strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise ValueError(f"{path}: the secret must be hex characters") from None
    if len(key) < 16:
        raise ValueError(f"{path}: the secret must be at least 16 bytes (32 hex characters)")
    return key


def key_id(key: bytes) -> str:
    """A short, non-reversible label of a key, stored so a later run can tell keys apart."""
    return hashlib.sha256(b"vawgscope-key-id:" + key).hexdigest()[:16]


def pseudonym(key: bytes, person_id: str) -> str:
    """The pseudonym of ``person_id``: ``p_`` and the first 24 hex digits of its HMAC-SHA256."""
    digest = hmac.digest(key, person_id.encode("utf-8"), "sha256")
    return PSEUDONYM_PREFIX + digest.hex()[:24]


def arrow_pseudonymiser(key: bytes):
    """A vectorised engine function mapping a string column to pseudonyms (nulls stay null)."""

    def apply(ids: pa.Array) -> pa.Array:
        return pa.array(
            [None if value is None else pseudonym(key, value) for value in ids.to_pylist()],
            type=pa.string(),
        )

    return apply


def lookup_path(secret_path: Path, store_path: Path) -> Path:
    """Where the pseudonym ↔ original-id lookup of ``store_path`` is kept."""
    tag = hashlib.sha256(str(store_path.resolve()).encode()).hexdigest()[:8]
    return secret_path.parent / "pseudonyms" / f"{store_path.stem}-{tag}.parquet"
