"""Device authentication (app/sync/identity.py): every transfer file is signed by the device
that made it and checked against that device's registered key; a revoked laptop — which
still holds the agency's database key — can neither pass as another device nor read what
the others send each other after its revocation."""

from __future__ import annotations

import json
import os
import struct
import zlib
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.desk import Desk
from app.sync import bundle as fmt
from app.sync.bundle import BundleRefused
from app.sync.identity import DeviceSecrets, Trust, issue, unb64
from app.store.sync_devices import load_anchors, tofu_allowed
from app.sync.devices import device_records, load_secrets
from conftest import LOGIN, PASSWORD, make_intake
from sync_helpers import build_devices, copy_tree, dump, open_dev


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    root = tmp_path_factory.mktemp("identity")
    return root, build_devices(root)


@pytest.fixture
def devs(template, tmp_path):
    root, ids = template
    copy_tree(root, tmp_path / "d")
    opened = {k: open_dev(tmp_path / "d", k) for k in "abc"}
    yield tmp_path / "d", ids, opened
    for d in opened.values():
        if not d.closed:
            d.close()


def forge(author: Desk, path: Path, *, claim: str, to: str | None, entries=(),
          signer: DeviceSecrets | None = None, chain=None, box_key: str | None = None) -> Path:
    """A transfer file made on ``author`` (its database key) that names ``claim`` as its
    sender, signed with ``signer`` (default: the author's own key)."""
    conn = author.store.conn
    rows = {r.id: r for r in device_records(conn)}
    header = {"agency_id": author.agency.agency_id, "from_device": claim, "to_device": to,
              "created": fmt.now_iso(), "entries": len(entries), "cases": None,
              "scope": "since", "schema": conn.execute("PRAGMA user_version").fetchone()[0],
              "sender": chain if chain is not None else
              [rows[claim].chain_entry()] if claim in rows else []}
    payload = {"vector": {}, "sender_kind": "desk", "entries": list(entries)}
    path.write_bytes(fmt.pack(author.store.database_key(), header, payload,
                              signer=signer or load_secrets(conn), recipient_box_key=box_key))
    return path


def person_entry(author: Desk, person_id: str, address: str) -> list:
    """A journal entry (as a bundle carries it) changing a person's address."""
    before = author.store.conn.execute("SELECT max(seq) FROM journal").fetchone()[0]
    author.update_person(person_id, address=address)
    row = author.store.conn.execute(
        "SELECT j.id, j.tbl, j.row_id, j.op, j.fields, j.base_rev, j.rev, j.hlc, j.user_id,"
        " j.device_id, c.ctx FROM journal j JOIN sync_context c ON c.entry_id = j.id"
        " WHERE j.seq > ? AND j.tbl = 'person'", (before,)).fetchone()
    return list(row)


def test_every_device_has_its_own_certified_keys(devs):
    _root, ids, d = devs
    a, b, lap = d["a"], d["b"], d["c"]
    secrets = {k: load_secrets(x.store.conn) for k, x in d.items()}
    assert len({s.sign for s in secrets.values()}) == 3     # nobody shares a private key
    rows = {r.id: r for r in device_records(a.store.conn)}
    for k in "abc":
        assert rows[ids[k]].sign_key == secrets[k].sign_key
        assert rows[ids[k]].box_key == secrets[k].box_key
    assert rows[ids["b"]].issuer == rows[ids["c"]].issuer == ids["a"]
    assert rows[ids["a"]].issuer == ids["a"]                  # the first desk: the anchor
    for desk in (a, b, lap):
        assert load_anchors(desk.store.conn)[ids["a"]] == secrets["a"].sign_key
        assert not tofu_allowed(desk.store.conn)
        trust = Trust(a.agency.agency_id, device_records(desk.store.conn),
                      load_anchors(desk.store.conn))
        for k in "abc":   # every device it knows (b was made before c: not c)
            if ids[k] in trust.rows:
                assert trust.trusted(ids[k]).box_key == secrets[k].box_key
    # the private keys are in no synced table: not in the journal, not in a bundle
    for s in secrets.values():
        for desk in (a, b, lap):
            text = json.dumps(desk.store.conn.execute("SELECT fields FROM journal").fetchall())
            assert s.sign.hex() not in text and s.box.hex() not in text


def test_revoked_laptop_cannot_pass_as_another_device(devs, tmp_path):
    _root, ids, d = devs
    a, b, lap = d["a"], d["b"], d["c"]
    a.sync.revoke_device(ids["c"])
    lap_secrets = load_secrets(lap.store.conn)
    a_box = {r.id: r for r in device_records(lap.store.conn)}[ids["a"]].box_key
    entry = person_entry(lap, lap.store.case(ids["cases"][0]).person_id, "盗まれたノートの住所")
    before = dump(a)
    # its own name: revoked
    own = forge(lap, tmp_path / "own.tsb", claim=ids["c"], to=ids["a"], entries=[entry],
                box_key=a_box)
    with pytest.raises(BundleRefused) as err:
        a.sync.import_bundle(own)
    assert "失効" in str(err.value) and "訪問用ノート" in str(err.value)
    # the desk b's name, signed with the laptop's own key: the signature is not b's
    posing = forge(lap, tmp_path / "as-b.tsb", claim=ids["b"], to=ids["a"], entries=[entry],
                   box_key=a_box)
    with pytest.raises(BundleRefused) as err:
        a.sync.import_bundle(posing)
    assert "署名" in str(err.value) and "窓口PC2" in str(err.value)
    assert "何も取り込んでいません" in str(err.value)
    # a device it invented: unknown, or a registration no desk certified
    fake = DeviceSecrets.new()
    agency = a.agency.agency_id
    for issuer_id, issuer_key in (("x-fake", fake), (ids["c"], lap_secrets)):
        cert = issue(agency, "x-fake", "desk", fake.sign_key, fake.box_key, issuer_id,
                     issuer_key)
        chain = [{"id": "x-fake", "kind": "desk", "sign_key": fake.sign_key,
                  "box_key": fake.box_key, "cert": cert}]
        made = forge(lap, tmp_path / "fake.tsb", claim="x-fake", to=ids["a"],
                     entries=[entry], signer=fake, chain=chain, box_key=a_box)
        with pytest.raises(BundleRefused):
            a.sync.import_bundle(made)
    # the same forgeries reach b, which has not heard of the revocation yet: the forged
    # sender is still refused there (only the laptop's own files pass until it hears)
    posing_a = forge(lap, tmp_path / "as-a.tsb", claim=ids["a"], to=None, entries=[entry])
    with pytest.raises(BundleRefused):
        b.sync.import_bundle(posing_a)
    assert dump(a) == before


def test_unsigned_and_wrongly_signed_files_are_refused(devs, tmp_path):
    _root, ids, d = devs
    a, b = d["a"], d["b"]
    a.register_intake(make_intake(name="署名 テスト", kana="しょめい てすと"))
    good = tmp_path / "good.tsb"
    a.sync.export_bundle(good, for_device=ids["b"])
    before = dump(b)
    # a version-1 file (before schema 10): authenticated with the agency key, not signed
    header = {"agency_id": a.agency.agency_id, "from_device": ids["a"], "to_device": ids["b"],
              "created": fmt.now_iso(), "entries": 0, "cases": None, "scope": "since",
              "schema": 9, "format": fmt.FORMAT, "version": 1}
    salt, nonce = os.urandom(16), os.urandom(12)
    import base64
    header.update(salt=base64.b64encode(salt).decode(), nonce=base64.b64encode(nonce).decode())
    head = json.dumps(header, sort_keys=True).encode()
    prefix = fmt.MAGIC + struct.pack(">I", len(head)) + head
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt,
               info=f"tsunagu-transfer-v1|{a.agency.agency_id}".encode()
               ).derive(a.store.database_key())
    old = prefix + AESGCM(key).encrypt(nonce, zlib.compress(b'{"vector":{},"entries":[]}'),
                                       prefix)
    (tmp_path / "v1.tsb").write_bytes(old)
    with pytest.raises(BundleRefused) as err:
        b.sync.import_bundle(tmp_path / "v1.tsb")
    assert "古いバージョン" in str(err.value) and "両方" in str(err.value)
    # signed by a key that is not a's (the file otherwise intact)
    data = good.read_bytes()
    resigned = data[:-64] + DeviceSecrets.new().signature(data[:-64])
    (tmp_path / "resigned.tsb").write_bytes(resigned)
    with pytest.raises(BundleRefused) as err:
        b.sync.import_bundle(tmp_path / "resigned.tsb")
    assert "署名" in str(err.value)
    # no signature at all (cut off)
    (tmp_path / "cut.tsb").write_bytes(data[:-64])
    with pytest.raises(BundleRefused):
        b.sync.import_bundle(tmp_path / "cut.tsb")
    assert dump(b) == before
    assert b.sync.import_bundle(good).applied > 0


def test_a_file_for_one_device_needs_that_devices_own_key(devs, tmp_path):
    """The database key alone (all a lost laptop has) does not open a file for b."""
    _root, ids, d = devs
    a, b, lap = d["a"], d["b"], d["c"]
    a.update_person(ids["persons"][1], address="秘密の転居先")
    path = tmp_path / "for-b.tsb"
    header = a.sync.export_bundle(path, for_device=ids["b"])
    data = path.read_bytes()
    header, prefix = fmt.read_header(data, "x")
    assert header["box"]["alg"] == "x25519"
    key = fmt.transfer_key(lap.store.database_key(), header["agency_id"],
                           unb64(header["salt"]), ids["b"])
    with pytest.raises(InvalidTag):
        AESGCM(key).decrypt(unb64(header["nonce"]), data[len(prefix):-64], prefix)
    with pytest.raises(BundleRefused):   # the laptop's own private key does not fit either
        fmt.unpack(data, lap.store.database_key(), header["agency_id"], "x",
                   sender_key=header["sender"][0]["sign_key"], sender_name="a",
                   box_secret=load_secrets(lap.store.conn).box)
    assert b.sync.import_bundle(path).applied > 0
    assert b.store.person(ids["persons"][1]).address == "秘密の転居先"
    # a file for any device (scope "all") is readable with the agency key, as before
    a.sync.export_bundle(tmp_path / "all.tsb")
    assert "box" not in fmt.read_header((tmp_path / "all.tsb").read_bytes(), "x")[0]
    assert lap.sync.import_bundle(tmp_path / "all.tsb").conflicts == 0


def test_a_device_met_first_is_checked_through_its_certificate(devs, tmp_path):
    """A desk added after b was made: b has never seen its row, but the file carries its
    certificate, signed by the first desk."""
    root, ids, d = devs
    a, b = d["a"], d["b"]
    e_info = a.sync.add_device("desk", "窓口PC3", root / "e")
    with open_dev(root, "e") as e:
        e.register_intake(make_intake(name="新顔 端末", kana="しんがお たんまつ"))
        e.sync.export_bundle(tmp_path / "e.tsb", for_device=ids["b"])
        result = b.sync.import_bundle(tmp_path / "e.tsb")
        assert result.applied > 0
        assert [x.name for x in b.sync.devices() if x.id == e_info.id] == ["窓口PC3"]
        # once e is revoked at b, its files are refused there
        a.sync.revoke_device(e_info.id)
        a.sync.export_bundle(tmp_path / "a.tsb", for_device=ids["b"])
        b.sync.import_bundle(tmp_path / "a.tsb")
        e.sync.export_bundle(tmp_path / "e2.tsb", for_device=ids["b"])
        with pytest.raises(BundleRefused) as err:
            b.sync.import_bundle(tmp_path / "e2.tsb")
        assert "失効" in str(err.value)


def _undo_after_14(conn) -> None:
    """Take away what the migrations after 14 add (tables, indexes, triggers, columns — the
    test fails if one of them does anything else), so that the ladder can run them again."""
    import re
    from app.store import db
    later = [sql for version, _name, sql in db.migrations() if version > 14]
    columns, objects = [], []
    for sql in later:
        for statement in db._split_sql(sql):
            text = re.sub(r"--[^\n]*", "", statement).strip()
            if m := re.match(r"ALTER TABLE (\w+) ADD COLUMN (\w+)", text, re.I):
                columns.append((m[1], m[2]))
            elif m := re.match(r"CREATE (?:UNIQUE )?(INDEX|TABLE|TRIGGER|VIRTUAL TABLE|VIEW)"
                               r"(?: IF NOT EXISTS)? (\w+)", text, re.I):
                objects.append((m[1].split()[-1].upper(), m[2]))
            else:
                assert re.match(r"(UPDATE|INSERT|DROP|DELETE)\b", text, re.I), text[:80]
    conn.execute("BEGIN IMMEDIATE")
    for kind, name in reversed(objects):
        conn.execute(f"DROP {kind} IF EXISTS {name}")
    for table, column in reversed(columns):
        for (index,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                                     "AND tbl_name = ? AND sql LIKE ?",
                                     (table, f"%{column}%")).fetchall():
            conn.execute(f"DROP INDEX {index}")
        conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    conn.execute("COMMIT")


def _make_legacy(root: Path, names: str) -> None:
    """Turn copies into installations as schema 9 left them: no key pairs, no registered
    keys, no anchors — and schema 9 (the keys are made by the schema-10 upgrade step)."""
    from app.store import db
    from app.security.keyslots import KeySlots
    for k in names:
        path = root / k / "tsunagu.db"
        raw = KeySlots.load(path).unlock(LOGIN, PASSWORD)
        conn = db.connect(path, raw)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DELETE FROM local_secret")
        conn.execute("UPDATE device SET sign_key = '', box_key = '', cert = ''")
        conn.execute("DELETE FROM local WHERE key IN ('sync.anchors', 'sync.tofu')")
        conn.execute("COMMIT")
        _undo_after_14(conn)
        # schema 10 undone (migrations 11-14 only add and drop indexes "IF [NOT] EXISTS")
        for column in ("sign_key", "box_key", "cert"):
            conn.execute(f"ALTER TABLE device DROP COLUMN {column}")
        conn.execute("DROP TABLE local_secret")
        conn.execute("PRAGMA user_version = 9")
        conn.close()


def test_installations_upgraded_from_schema_9_register_and_pin_on_first_contact(
        template, tmp_path):
    root, ids = template
    copy_tree(root, tmp_path / "d")
    _make_legacy(tmp_path / "d", "abc")
    a, b, lap = (open_dev(tmp_path / "d", k) for k in "abc")
    try:
        for desk in (a, b, lap):   # keys made at the first open, self-registered
            assert load_secrets(desk.store.conn) is not None and tofu_allowed(desk.store.conn)
        a.update_person(ids["persons"][1], address="更新後1-1")
        a.sync.export_bundle(tmp_path / "1.tsb", for_device=ids["b"])
        assert b.sync.import_bundle(tmp_path / "1.tsb").applied > 0     # a pinned at b
        assert load_anchors(b.store.conn)[ids["a"]] == load_secrets(a.store.conn).sign_key
        b.sync.export_bundle(tmp_path / "2.tsb", for_device=ids["a"])
        a.sync.import_bundle(tmp_path / "2.tsb")
        assert ids["b"] in load_anchors(a.store.conn)
        # from now on the laptop cannot pass as b at a
        entry = person_entry(lap, lap.store.case(ids["cases"][0]).person_id, "偽の住所")
        a.sync.revoke_device(ids["c"])
        before = dump(a)
        with pytest.raises(BundleRefused):
            a.sync.import_bundle(forge(lap, tmp_path / "as-b.tsb", claim=ids["b"], to=ids["a"],
                                  entries=[entry]))
        assert dump(a) == before
    finally:
        for desk in (a, b, lap):
            desk.close()
