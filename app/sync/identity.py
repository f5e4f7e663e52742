"""Device identity: each installation's own key pairs, the certificates that register their
public halves, and whether a device named in a transfer file can be trusted.

Every installation of an agency holds the same database key, so that key cannot tell
devices apart. Each device therefore has two key pairs of its own, made when the device is
made (``Desk.create`` for the first desk, ``add_device`` for the others, the first open
after the upgrade for installations older than schema 10):

* **Ed25519** signs every transfer file it writes (app/sync/bundle.py);
* **X25519**: a file meant for one device is encrypted to it as well, so a lost laptop
  that still has the database key cannot read what the others send each other later.

The private halves stay in the installation's encrypted database (table ``local_secret``,
never synced). The public halves are registered in the synced ``device`` table with a
**certificate**: the desk that added the device signs (agency, device id, kind, both public
keys). Trust starts at **anchors**, public signing keys this installation pinned itself
(``local``: never synced): the first desk's own key, handed to every device made from it.
A device is trusted when it is not revoked and its certificate chain leads, through desks
only, to an anchor. A forged device row, or a key changed by someone else, fails the
certificate; a revoked device fails outright.

A device whose issuer was revoked later stays trusted if it was already known here (a
retired desk does not take its laptops with it); a device met for the first time needs a
chain of devices that are not revoked.

Installations upgraded from schema 9 register themselves with a self-signed certificate:
nobody could vouch for them. A peer pins such a key on first contact (``tofu`` — allowed
only on upgraded installations, never on databases made with keys from the start).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, replace
from typing import Iterable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey, Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

SIGN_SECRET = "device.sign"      # names in local_secret
BOX_SECRET = "device.box"
MAX_CHAIN = 10

_RAW = serialization.Encoding.Raw
_RAW_PUB = serialization.PublicFormat.Raw
_RAW_PRIV = serialization.PrivateFormat.Raw
_NO_ENC = serialization.NoEncryption()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


@dataclass(frozen=True)
class DeviceSecrets:
    """This installation's private keys (raw 32 bytes each)."""

    sign: bytes
    box: bytes

    @classmethod
    def new(cls) -> "DeviceSecrets":
        return cls(Ed25519PrivateKey.generate().private_bytes(_RAW, _RAW_PRIV, _NO_ENC),
                   X25519PrivateKey.generate().private_bytes(_RAW, _RAW_PRIV, _NO_ENC))

    @property
    def sign_key(self) -> str:
        """The public signing key, base64."""
        return b64(Ed25519PrivateKey.from_private_bytes(self.sign).public_key()
                   .public_bytes(_RAW, _RAW_PUB))

    @property
    def box_key(self) -> str:
        """The public encryption key, base64."""
        return b64(X25519PrivateKey.from_private_bytes(self.box).public_key()
                   .public_bytes(_RAW, _RAW_PUB))

    def signature(self, message: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.sign).sign(message)


@dataclass(frozen=True)
class DeviceRecord:
    """A device as registered (a row of ``device``, or an entry of a file's sender chain)."""

    id: str
    kind: str
    sign_key: str = ""
    box_key: str = ""
    cert: str = ""           # JSON {"issuer": device id, "sig": base64}
    revoked: bool = False

    def chain_entry(self) -> dict[str, str]:
        return {"id": self.id, "kind": self.kind, "sign_key": self.sign_key,
                "box_key": self.box_key, "cert": self.cert}

    @property
    def issuer(self) -> str:
        return _cert(self.cert).get("issuer", "")


def _cert(text: str) -> dict[str, str]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


def cert_message(agency_id: str, device_id: str, kind: str, sign_key: str,
                 box_key: str) -> bytes:
    body = json.dumps({"agency": agency_id, "device": device_id, "kind": kind,
                       "sign_key": sign_key, "box_key": box_key}, sort_keys=True)
    return b"tsunagu-device-v1\0" + body.encode("utf-8")


def issue(agency_id: str, device_id: str, kind: str, sign_key: str, box_key: str,
          issuer_id: str, issuer: DeviceSecrets) -> str:
    """The certificate (JSON text for ``device.cert``) of a device's public keys."""
    sig = issuer.signature(cert_message(agency_id, device_id, kind, sign_key, box_key))
    return json.dumps({"issuer": issuer_id, "sig": b64(sig)}, sort_keys=True)


def verify(public_key: str, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(unb64(public_key)).verify(signature, message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def self_signed_ok(agency_id: str, rec: DeviceRecord) -> bool:
    """A self-issued certificate that verifies with the record's own key."""
    cert = _cert(rec.cert)
    if not rec.sign_key or cert.get("issuer") != rec.id:
        return False
    try:
        sig = unb64(cert.get("sig", ""))
    except ValueError:
        return False
    return verify(rec.sign_key, sig, cert_message(agency_id, rec.id, rec.kind, rec.sign_key,
                                                  rec.box_key))


class Untrusted(Exception):
    """A device cannot be trusted. ``reason``: unknown, revoked, unregistered (no key yet:
    made before schema 10), self_signed (registered itself: upgraded installation),
    issuer_revoked (met for the first time, added by a revoked device), bad_cert (the
    certificate does not match the keys, or the chain is broken)."""

    def __init__(self, reason: str, device_id: str):
        super().__init__(f"{reason}: {device_id}")
        self.reason = reason
        self.device_id = device_id


class Trust:
    """Which devices are trusted, from the rows this installation holds, its anchors and
    (for devices not known here yet) the certificate chain a transfer file carries."""

    def __init__(self, agency_id: str, rows: Iterable[DeviceRecord], anchors: dict[str, str],
                 chain: Iterable[dict] = ()):
        self.agency_id = agency_id
        self.rows = {r.id: r for r in rows}
        self.anchors = dict(anchors)
        self.chain: dict[str, DeviceRecord] = {}
        for entry in chain:
            rec = chain_record(entry)
            if rec is not None and rec.id not in self.chain:
                self.chain[rec.id] = rec

    def record(self, device_id: str) -> DeviceRecord | None:
        return self.rows.get(device_id) or self.chain.get(device_id)

    def trusted(self, device_id: str) -> DeviceRecord:
        """The device's record with keys that may be relied on; raises Untrusted.
        ``box_key`` is "" when only the signing key is known for sure."""
        return self._trusted(device_id, 0, allow_revoked=False)

    def _trusted(self, device_id: str, depth: int, *, allow_revoked: bool) -> DeviceRecord:
        if depth > MAX_CHAIN:
            raise Untrusted("bad_cert", device_id)
        known = device_id in self.rows
        rec = self.record(device_id)
        if rec is None:
            raise Untrusted("unknown", device_id)
        if rec.revoked and not allow_revoked:
            raise Untrusted("revoked" if depth == 0 else "issuer_revoked", device_id)
        anchor = self.anchors.get(device_id)
        if anchor:
            if rec.sign_key and rec.sign_key != anchor:
                raise Untrusted("bad_cert", device_id)
            pinned = replace(rec, sign_key=anchor)
            if self_signed_ok(self.agency_id, pinned) or self._issued_ok(pinned, depth):
                return pinned
            return replace(pinned, box_key="")
        if not rec.sign_key:
            raise Untrusted("unregistered", device_id)
        issuer = rec.issuer
        if not issuer or issuer == device_id:
            raise Untrusted("self_signed", device_id)
        if not self._issued_ok(rec, depth, allow_revoked_issuer=known):
            raise Untrusted("bad_cert", device_id)
        return rec

    def _issued_ok(self, rec: DeviceRecord, depth: int, *,
                   allow_revoked_issuer: bool = True) -> bool:
        issuer_id = rec.issuer
        if not issuer_id or issuer_id == rec.id:
            return False
        try:
            issuer = self._trusted(issuer_id, depth + 1, allow_revoked=allow_revoked_issuer)
        except Untrusted as exc:
            if exc.reason in ("revoked", "issuer_revoked") and depth == 0:
                raise Untrusted("issuer_revoked", rec.id) from None
            return False
        if issuer.kind != "desk":
            return False
        try:
            sig = unb64(_cert(rec.cert).get("sig", ""))
        except ValueError:
            return False
        return verify(issuer.sign_key, sig, cert_message(self.agency_id, rec.id, rec.kind,
                                                         rec.sign_key, rec.box_key))


def chain_record(entry: object) -> DeviceRecord | None:
    if not isinstance(entry, dict):
        return None
    fields = {k: entry.get(k) for k in ("id", "kind", "sign_key", "box_key", "cert")}
    if not all(isinstance(v, str) for v in fields.values()) or not fields["id"]:
        return None
    if fields["kind"] not in ("desk", "field"):
        return None
    text = {k: str(v) for k, v in fields.items()}     # every value a str (checked above)
    return DeviceRecord(id=text["id"], kind=text["kind"], sign_key=text["sign_key"],
                        box_key=text["box_key"], cert=text["cert"])


def chain_of(device_id: str, rows: dict[str, DeviceRecord]) -> list[dict[str, str]]:
    """The certificate chain a transfer file carries: the sender, the desk that added it,
    and so on up to a self-issued certificate (the first desk)."""
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    current = rows.get(device_id)
    while current is not None and current.id not in seen and len(out) <= MAX_CHAIN:
        out.append(current.chain_entry())
        seen.add(current.id)
        issuer = current.issuer
        if not issuer or issuer == current.id:
            break
        current = rows.get(issuer)
    return out
