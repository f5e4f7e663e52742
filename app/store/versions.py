"""The versions of the database engine this program runs on (for バージョン情報)."""

from __future__ import annotations

import sqlcipher3


def engine_versions() -> dict[str, str]:
    """``sqlcipher`` (e.g. "4.19.0 community"), ``crypto`` (the cipher provider and its
    version) and ``sqlite``, asked of an in-memory connection (no file is touched)."""
    conn = sqlcipher3.connect(":memory:")
    try:
        conn.execute("PRAGMA key = 'versions'")  # the provider answers only once keyed
        def pragma(name: str) -> str:
            try:
                row = conn.execute(f"PRAGMA {name}").fetchone()
            except sqlcipher3.DatabaseError:
                return ""
            return str(row[0]) if row and row[0] is not None else ""

        provider = pragma("cipher_provider_version") or pragma("cipher_provider")
        sqlite = conn.execute("SELECT sqlite_version()").fetchone()[0]
        return {"sqlcipher": pragma("cipher_version"), "crypto": provider, "sqlite": sqlite}
    finally:
        conn.close()
