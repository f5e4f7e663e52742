"""Security: key slots (per-user unlock, recovery key), roles and permissions, audit."""
