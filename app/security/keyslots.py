"""Key slots: each user's password (and the recovery key) unwraps the database key.

The database is encrypted with a random 256-bit key that nobody types. Each slot holds that
key wrapped with AES-GCM under a key derived from a password by Argon2id. The slots live in
``<database>.keys`` beside the database, written atomically; adding a user, changing a
password or revoking one rewrites only this file, never the database.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import unicodedata
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from app.errors import MissingKeySlots, WrongPassword
from app.i18n import _
from app.files import write_atomic
from app.text_ja import normalise_recovery_key   # one reading, shared with the printed sheet

FORMAT = "tsunagu-keyslots"
VERSION = 1
RECOVERY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I L O U


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. The default takes ≈0.15 s here; tests use ``fast()``."""

    iterations: int = 3
    lanes: int = 4
    memory_cost: int = 65536  # KiB

    @classmethod
    def fast(cls) -> "KdfParams":
        return cls(iterations=1, lanes=1, memory_cost=8)


@dataclass
class Slot:
    id: str
    kind: str            # "password" or "recovery"
    login: str           # user login for password slots, "" for the recovery slot
    salt: str
    nonce: str
    wrapped: str
    kdf: dict = field(default_factory=dict)


def keys_path(db_path: str | os.PathLike[str]) -> Path:
    return Path(str(db_path) + ".keys")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


# Limits of a slot: anything else is a damaged (or hostile) key file, refused in words
# before Argon2id is asked to spend absurd memory or time.
KDF_LIMITS = {"iterations": (1, 64), "lanes": (1, 64), "memory_cost": (8, 4 * 1024 * 1024)}
SIZES = {"salt": 16, "nonce": 12, "wrapped": 48}   # bytes: AES-GCM of a 32-byte key + tag


def damaged_key_file(name: str, what: str) -> MissingKeySlots:
    return MissingKeySlots(_(
        "The key file is damaged ({name}: {what}). The database itself may be intact: copy "
        "the key file from the newest backup (the .keys file beside tsunagu-….db) next to the "
        "database under the name {name}, or restore the newest backup.").format(
            name=name, what=what))


def _strict_b64(text: object) -> bytes | None:
    if not isinstance(text, str) or len(text) > 256:
        return None
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        return None


def slot_problem(slot: "Slot") -> str:
    """What is wrong with one slot (empty: nothing)."""
    if not isinstance(slot.id, str) or not slot.id:
        return _("a slot without an id")
    if slot.kind not in ("password", "recovery"):
        return _("a slot of unknown kind")
    if not isinstance(slot.login, str) or len(slot.login) > 64 \
            or (slot.kind == "password" and not slot.login):
        return _("a slot without a valid user name")
    for name, size in SIZES.items():
        raw = _strict_b64(getattr(slot, name))
        if raw is None:
            return _("{field} is not valid base64").format(field=name)
        if len(raw) != size:
            return _("{field} has {n} bytes instead of {size}").format(
                field=name, n=len(raw), size=size)
    kdf = slot.kdf
    if not isinstance(kdf, dict) or set(kdf) != set(KDF_LIMITS):
        return _("the key derivation settings are incomplete")
    for name, (low, high) in KDF_LIMITS.items():
        v = kdf[name]
        if not isinstance(v, int) or isinstance(v, bool) or not low <= v <= high:
            return _("the key derivation setting {field} is out of range").format(field=name)
    if kdf["memory_cost"] < 8 * kdf["lanes"]:
        return _("the key derivation setting {field} is out of range").format(
            field="memory_cost")
    return ""


def _normalise_secret(secret: str) -> bytes:
    # The same password typed with a different IME width still unlocks.
    return unicodedata.normalize("NFKC", secret).encode("utf-8")


def _derive(secret: str, salt: bytes, params: KdfParams) -> bytes:
    return Argon2id(salt=salt, length=32, iterations=params.iterations, lanes=params.lanes,
                    memory_cost=params.memory_cost).derive(_normalise_secret(secret))


def _aad(db_id: str, slot_id: str, kind: str, login: str) -> bytes:
    return f"{FORMAT}|{db_id}|{slot_id}|{kind}|{login}".encode("utf-8")


def new_recovery_key() -> str:
    """A 160-bit recovery key as 8 groups of 4 characters (Crockford base32)."""
    chars = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(32))
    return "-".join(chars[i:i + 4] for i in range(0, 32, 4))




class KeySlots:
    """The slot file of one database."""

    def __init__(self, path: Path, db_id: str, slots: list[Slot]):
        self.path = path
        self.db_id = db_id
        self.slots = slots

    # -- file ------------------------------------------------------------
    @classmethod
    def new(cls, db_path: str | os.PathLike[str]) -> "KeySlots":
        return cls(keys_path(db_path), str(uuid.uuid4()), [])

    @classmethod
    def load(cls, db_path: str | os.PathLike[str]) -> "KeySlots":
        path = keys_path(db_path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise ValueError("not a key-slot file")
            if not isinstance(data["slots"], list) or len(data["slots"]) > 10_000:
                raise ValueError("slots")
            slots = [Slot(**s) for s in data["slots"]]
        except FileNotFoundError as exc:
            raise MissingKeySlots(
                _("The key file {name} beside the database is missing. Without it the "
                  "database cannot be unlocked: restore the newest backup (it contains the "
                  "key file).").format(name=path.name)) from exc
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise damaged_key_file(path.name, _("not a Tsunagu key file, or cut short")
                                   ) from exc
        except OSError as exc:
            raise MissingKeySlots(_("The key file {name} cannot be read: {error}").format(
                name=path.name, error=exc.strerror or exc)) from exc
        for slot in slots:
            problem = slot_problem(slot)
            if problem:
                raise damaged_key_file(path.name, problem)
        if not isinstance(data["db_id"], str) or not data["db_id"]:
            raise damaged_key_file(path.name, _("no database id"))
        return cls(path, data["db_id"], slots)

    def to_bytes(self) -> bytes:
        data = {"format": FORMAT, "version": VERSION, "db_id": self.db_id,
                "slots": [asdict(s) for s in self.slots]}
        return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")

    def save(self, path: Path | None = None) -> None:
        write_atomic(path or self.path, self.to_bytes())

    # -- slots -----------------------------------------------------------
    def _add(self, kind: str, login: str, secret: str, db_key: bytes, params: KdfParams) -> Slot:
        salt, nonce, slot_id = os.urandom(16), os.urandom(12), str(uuid.uuid4())
        kek = _derive(secret, salt, params)
        wrapped = AESGCM(kek).encrypt(nonce, db_key, _aad(self.db_id, slot_id, kind, login))
        slot = Slot(id=slot_id, kind=kind, login=login, salt=_b64(salt), nonce=_b64(nonce),
                    wrapped=_b64(wrapped), kdf=asdict(params))
        self.slots.append(slot)
        return slot

    def set_password(self, login: str, password: str, db_key: bytes,
                     params: KdfParams | None = None) -> None:
        """Add or replace the password slot of ``login``."""
        self.remove_user(login)
        self._add("password", login, password, db_key, params or KdfParams())

    def set_recovery_key(self, recovery_key: str, db_key: bytes,
                         params: KdfParams | None = None) -> None:
        """Replace the recovery slot: the old recovery key stops working."""
        self.slots = [s for s in self.slots if s.kind != "recovery"]
        self._add("recovery", "", normalise_recovery_key(recovery_key), db_key,
                  params or KdfParams())

    def remove_user(self, login: str) -> None:
        self.slots = [s for s in self.slots if not (s.kind == "password" and s.login == login)]

    def logins(self) -> list[str]:
        return [s.login for s in self.slots if s.kind == "password"]

    def _unwrap(self, slot: Slot, secret: str) -> bytes | None:
        problem = slot_problem(slot)   # checked at load; a slot changed since is refused too
        if problem:
            raise damaged_key_file(self.path.name, problem)
        params = KdfParams(**slot.kdf)
        kek = _derive(secret, _unb64(slot.salt), params)
        try:
            return AESGCM(kek).decrypt(_unb64(slot.nonce), _unb64(slot.wrapped),
                                       _aad(self.db_id, slot.id, slot.kind, slot.login))
        except InvalidTag:
            return None

    def unlock(self, login: str, password: str) -> bytes:
        """The database key, or WrongPassword (same message for an unknown user)."""
        for slot in self.slots:
            if slot.kind == "password" and slot.login == login:
                key = self._unwrap(slot, password)
                if key is not None:
                    return key
                break
        else:
            # Spend the same time as a real attempt so timing does not reveal logins.
            _derive(password, b"\0" * 16, KdfParams())
        raise WrongPassword(_("The user name or password is wrong. Check the keyboard "
                              "(caps lock, half/full width) and try again."))

    def unlock_with_recovery_key(self, recovery_key: str) -> bytes:
        for slot in self.slots:
            if slot.kind == "recovery":
                key = self._unwrap(slot, normalise_recovery_key(recovery_key))
                if key is not None:
                    return key
        raise WrongPassword(_("The recovery key is wrong. Type it exactly as printed on the "
                              "recovery key sheet (hyphens and spaces do not matter)."))
