"""Transfer bundles: one encrypted, authenticated and signed file of journal entries.

Layout (all of it authenticated; nothing is applied unless every byte checks)::

    MAGIC (16 bytes "TSUNAGU-BUNDLE\\n\\0")
    header length (4 bytes, big-endian)
    header (UTF-8 JSON): format, version, schema, agency_id, from_device, to_device,
                         created, entries, scope ("since" | "all" | "cases"), cases,
                         salt, nonce, signature ("ed25519"), sender (certificate chain of
                         the sending device, app/sync/identity.py), and for a file meant
                         for one device: box {"alg": "x25519", "epk": ephemeral public key}
    ciphertext: AES-256-GCM of zlib(JSON payload), associated data = everything above
    signature (64 bytes): Ed25519 of everything above, by the sending device's own key

The key is HKDF-SHA256(database key [‖ X25519(ephemeral, recipient)], salt,
"tsunagu-transfer-v2|<agency id>|<to device>"): only installations of the same agency (copies
of one database key) can read a bundle, and a bundle for one device needs that device's own
private key as well — a revoked laptop that still has the database key cannot read what the
others send each other after its revocation. A fresh salt (and ephemeral key) per bundle
gives a fresh key. The AEAD proves the file was made with the agency's key; the signature
proves *which* device made it (the database key is shared by every device, so the AEAD
alone cannot). Version 1 files (before schema 10) were not signed: they are refused.

The payload holds the sender's version vector ({origin device: newest hlc it holds
completely}), its kind, and the entries, each with its causal context. Rows are not
shipped: they are folded from the entries (merge.py), and a receiver missing a row always
gets the row's whole history.
"""

from __future__ import annotations

import json
import os
import re
import struct
import zlib
from datetime import datetime, timezone
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.errors import TsunaguError
from app.i18n import _
from app.store.sync_exchange import ENTRY_COLUMNS
from app.sync.identity import DeviceSecrets, b64, unb64, verify

MAGIC = b"TSUNAGU-BUNDLE\n\0"
FORMAT = "tsunagu-bundle"
VERSION = 2
SIGNATURE = "ed25519"
SIG_LEN = 64
MAX_HEADER = 64 * 1024
HLC = re.compile(r"^\d{13}-\d{5}-[0-9A-Za-z._-]+$")


class BundleRefused(TsunaguError):
    """A bundle was not applied (damaged, altered, foreign, revoked, newer…); nothing
    changed."""


def transfer_key(db_key: bytes, agency_id: str, salt: bytes, to_device: str | None = None,
                 shared: bytes = b"") -> bytes:
    info = f"tsunagu-transfer-v2|{agency_id}|{to_device or '*'}"
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt,
                info=info.encode("utf-8")).derive(db_key + shared)


def pack(db_key: bytes, header: dict[str, Any], payload: dict[str, Any], *,
         signer: DeviceSecrets, recipient_box_key: str | None = None) -> bytes:
    """The bytes of a transfer file, signed by ``signer``; with ``recipient_box_key``
    (the X25519 public key of ``header["to_device"]``) readable only by that device."""
    salt, nonce = os.urandom(16), os.urandom(12)
    header = dict(header, format=FORMAT, version=VERSION, salt=b64(salt), nonce=b64(nonce),
                  signature=SIGNATURE)
    shared = b""
    if recipient_box_key:
        ephemeral = X25519PrivateKey.generate()
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(unb64(recipient_box_key)))
        header["box"] = {"alg": "x25519", "epk": b64(ephemeral.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw))}
    head = json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8")
    prefix = MAGIC + struct.pack(">I", len(head)) + head
    body = zlib.compress(json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
                         .encode("utf-8"), 6)
    key = transfer_key(db_key, header["agency_id"], salt, header.get("to_device"), shared)
    sealed = prefix + AESGCM(key).encrypt(nonce, body, prefix)
    return sealed + signer.signature(sealed)


def _damaged(name: str) -> BundleRefused:
    return BundleRefused(_("The transfer file {name} is damaged or was altered (it may have "
                           "been cut off while copying). Nothing was imported. Make the "
                           "transfer file again on the sending PC.").format(name=name))


def read_header(data: bytes, name: str) -> tuple[dict[str, Any], bytes]:
    """The header (not yet authenticated) and the authenticated prefix."""
    if not data.startswith(MAGIC):
        if len(data) < len(MAGIC) and MAGIC.startswith(data):
            raise _damaged(name)
        raise BundleRefused(_("{name} is not a Tsunagu transfer file. Nothing was imported.")
                            .format(name=name))
    if len(data) < len(MAGIC) + 4:
        raise _damaged(name)
    (n,) = struct.unpack(">I", data[len(MAGIC):len(MAGIC) + 4])
    if n > MAX_HEADER or len(data) < len(MAGIC) + 4 + n + 16:
        raise _damaged(name)
    prefix = data[:len(MAGIC) + 4 + n]
    try:
        header = json.loads(prefix[len(MAGIC) + 4:].decode("utf-8"))
        if not isinstance(header, dict):
            raise ValueError
    except (ValueError, UnicodeDecodeError):
        raise _damaged(name) from None
    if header.get("format") != FORMAT:
        raise _damaged(name)
    version = header.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise _damaged(name)
    if version > VERSION:
        raise BundleRefused(_("The transfer file {name} was made by a newer version of Tsunagu "
                              "(format {found}; this program reads up to {known}). Install "
                              "the newer Tsunagu on this PC, then import it again. Nothing was "
                              "imported.")
                            .format(name=name, found=version, known=VERSION))
    if version < VERSION:
        raise BundleRefused(_("The transfer file {name} was made by an older version of "
                              "Tsunagu and carries no signature of the device that made it, so "
                              "its origin cannot be checked. Update Tsunagu on both PCs, then "
                              "make the transfer file again. Nothing was imported.")
                            .format(name=name))
    if header.get("signature") != SIGNATURE or len(data) < len(prefix) + 16 + SIG_LEN:
        raise _damaged(name)
    return header, prefix


def unpack(data: bytes, db_key: bytes, agency_id: str, name: str, *, sender_key: str,
           sender_name: str, box_secret: bytes | None) -> tuple[dict, dict]:
    """Check the signature with the sender's registered public key, then decrypt (with
    this device's X25519 key when the file was encrypted to it)."""
    header, prefix = read_header(data, name)
    if header.get("agency_id") != agency_id:
        raise BundleRefused(_("The transfer file {name} comes from another agency's database. "
                              "Nothing was imported.").format(name=name))
    sealed, signature = data[:-SIG_LEN], data[-SIG_LEN:]
    if not verify(sender_key, signature, sealed):
        raise BundleRefused(_("The signature of the transfer file {name} does not match the "
                              "device it names as its sender ({device}): the file was altered, "
                              "or it was made on another device (for example a lost or revoked "
                              "one). Nothing was imported.")
                            .format(name=name, device=sender_name))
    try:
        salt = unb64(header["salt"])
        nonce = unb64(header["nonce"])
        shared = b""
        box = header.get("box")
        if box is not None:
            if not isinstance(box, dict) or box.get("alg") != "x25519":
                raise ValueError("box")
            if box_secret is None:
                raise BundleRefused(_("The transfer file {name} is encrypted for this device's "
                                      "own key, which this installation does not have. Nothing "
                                      "was imported.").format(name=name))
            shared = X25519PrivateKey.from_private_bytes(box_secret).exchange(
                X25519PublicKey.from_public_bytes(unb64(box["epk"])))
        key = transfer_key(db_key, agency_id, salt, header.get("to_device"), shared)
        body = AESGCM(key).decrypt(nonce, sealed[len(prefix):], prefix)
        payload = json.loads(zlib.decompress(body).decode("utf-8"))
    except (InvalidTag, KeyError, ValueError, TypeError, zlib.error, UnicodeDecodeError):
        raise _damaged(name) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("entries"), list):
        raise _damaged(name)
    return header, payload


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def check_entry(raw: Any, tables: dict[str, list[str]], name: str) -> dict[str, Any]:
    """One entry of a payload, checked field by field (never trusted for SQL)."""
    if not isinstance(raw, list) or len(raw) != len(ENTRY_COLUMNS):
        raise _damaged(name)
    e = dict(zip(ENTRY_COLUMNS, raw))
    if e["tbl"] not in tables:
        raise BundleRefused(_("The transfer file {name} holds data this version of Tsunagu "
                              "does not know (table {table}). Install the newer Tsunagu on "
                              "this PC. Nothing was imported.").format(name=name, table=e["tbl"]))
    ok = (isinstance(e["id"], str) and isinstance(e["row_id"], str)
          and e["op"] in ("insert", "update", "delete") and isinstance(e["fields"], str)
          and isinstance(e["base_rev"], int) and isinstance(e["rev"], int)
          and isinstance(e["hlc"], str) and HLC.match(e["hlc"]) is not None
          and isinstance(e["user_id"], str) and isinstance(e["device_id"], str)
          and isinstance(e["ctx"], str))
    if not ok:
        raise _damaged(name)
    try:
        fields, ctx = json.loads(e["fields"]), json.loads(e["ctx"])
    except ValueError:
        raise _damaged(name) from None
    if not isinstance(fields, dict) or not isinstance(ctx, dict):
        raise _damaged(name)
    cols = set(tables[e["tbl"]])
    if e["op"] != "delete" and not set(fields) <= cols:
        raise BundleRefused(_("The transfer file {name} holds data this version of Tsunagu "
                              "does not know (table {table}). Install the newer Tsunagu on "
                              "this PC. Nothing was imported.").format(name=name, table=e["tbl"]))
    return e
