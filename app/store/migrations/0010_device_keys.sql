-- Schema 10: each installation authenticates itself (DESIGN.md, Sync; app/sync/identity.py).
-- Every copy of the agency database holds the same database key, so the key alone cannot
-- tell devices apart: a revoked laptop could still make a bundle and claim another device's
-- id. Each device therefore has its own key pairs — Ed25519 to sign its transfer files,
-- X25519 so that files for it are readable only with its own private key — and the public
-- halves are registered in the synced device table with a certificate: the desk that
-- added the device signs (agency, id, kind, both public keys).
ALTER TABLE device ADD COLUMN sign_key TEXT NOT NULL DEFAULT '';   -- Ed25519 public, base64
ALTER TABLE device ADD COLUMN box_key TEXT NOT NULL DEFAULT '';    -- X25519 public, base64
ALTER TABLE device ADD COLUMN cert TEXT NOT NULL DEFAULT '';       -- {"issuer", "sig"} JSON

-- The private halves: this installation's only, never synced, never shown. Installations
-- upgraded from schema 9 generate theirs at the first open (Desk.open).
CREATE TABLE local_secret (name TEXT PRIMARY KEY, value BLOB NOT NULL);
