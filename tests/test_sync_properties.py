"""Properties of sync: random edits on three devices, bundles exchanged in random orders
and repeated, end in identical databases; nothing acknowledged is lost; conflicts exactly
where one field changed on two sides; any changed byte of a bundle is refused.

~50 examples each by default; TSUNAGU_LONG=1 runs many more.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import NotFound
from app.sync.bundle import BundleRefused
from conftest import make_intake
from sync_helpers import build_devices, copy_tree, dump, open_dev

LONG = os.environ.get("TSUNAGU_LONG") == "1"
SETTINGS = settings(max_examples=400 if LONG else 50, deadline=None, derandomize=not LONG,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])

DESKS = ("a", "b", "d")
FIELDS = {"address": ["本町1", "北町2", "南町3"], "phone_home": ["011-111-1111", "022-222-2222"],
          "name": ["山田 太郎", "山田 太朗", "山﨑 太郎"], "email": ["x@example.jp", "y@example.jp"]}


@pytest.fixture(scope="module")
def three_desks(tmp_path_factory):
    """a (first desk), b and d (desk copies), c (field laptop, first case)."""
    root = tmp_path_factory.mktemp("three")
    ids = build_devices(root)
    from conftest import LOGIN, PASSWORD
    from app.desk import Desk
    with Desk.open(root / "a" / "tsunagu.db", LOGIN, PASSWORD) as a:
        ids["d"] = a.sync.add_device("desk", "窓口PC3", root / "d").id
        ids["persons"] = [a.store.case(c).person_id for c in ids["cases"]]
    return root, ids


class World:
    def __init__(self, template: Path, ids: dict, only=DESKS):
        self.dir = Path(tempfile.mkdtemp(prefix="sync-prop-", dir=template.parent))
        self.root = self.dir / "w"
        self.root.mkdir()
        for k in only:
            copy_tree(template / k, self.root / k)
        self.ids = ids
        self.desks = {k: open_dev(self.root, k) for k in only}
        self.bundles: list[tuple[str, Path]] = []
        self.written: list[tuple[str, str]] = []   # (device, journal entry id) of edits

    def close(self):
        for d in self.desks.values():
            d.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def edit(self, dev, person, field, value):
        desk = self.desks[dev]
        before = desk.store.conn.execute("SELECT max(seq) FROM journal").fetchone()[0]
        desk.update_person(self.ids["persons"][person], **{field: value})
        for (eid,) in desk.store.conn.execute("SELECT id FROM journal WHERE seq > ? AND"
                                              " tbl = 'person'", (before,)):
            self.written.append((dev, eid))

    def intake(self, dev, n):
        self.desks[dev].register_intake(make_intake(name=f"新規 {dev}{n}", kana="しんき"))

    def export(self, src, dst):
        path = self.dir / f"{len(self.bundles)}-{src}-{dst}.tsb"
        try:
            self.desks[src].sync.export_bundle(path, for_device=self.ids[dst])
        except NotFound:
            return False   # src has not heard of dst yet (a device added elsewhere)
        self.bundles.append((dst, path))
        return True

    def deliver(self, i):
        dst, path = self.bundles[i % len(self.bundles)]
        self.desks[dst].sync.import_bundle(path)

    def settle(self, order):
        """Everyone sends to everyone, twice, in the given order of pairs."""
        for _round in range(3):
            for src, dst in order:
                if self.export(src, dst):
                    self.deliver(len(self.bundles) - 1)


ops = st.one_of(
    st.tuples(st.just("edit"), st.sampled_from(DESKS), st.integers(0, 4),
              st.sampled_from(sorted(FIELDS)), st.integers(0, 2)),
    st.tuples(st.just("intake"), st.sampled_from(DESKS), st.integers(0, 99)),
    st.tuples(st.just("export"), st.sampled_from(DESKS), st.sampled_from(DESKS)),
    st.tuples(st.just("deliver"), st.integers(0, 50)),
)
pairs = st.permutations([(s, t) for s in DESKS for t in DESKS if s != t])


@SETTINGS
@given(steps=st.lists(ops, max_size=14), order=pairs)
def test_random_edits_and_exchanges_converge(three_desks, steps, order):
    template, ids = three_desks
    w = World(template, ids)
    try:
        for step in steps:
            if step[0] == "edit":
                _, dev, person, field, k = step
                values = FIELDS[field]
                w.edit(dev, person, field, values[k % len(values)])
            elif step[0] == "intake":
                w.intake(step[1], step[2])
            elif step[0] == "export" and step[1] != step[2]:
                w.export(step[1], step[2])
            elif step[0] == "deliver" and w.bundles:
                w.deliver(step[1])
        w.settle(order)
        dumps = [dump(w.desks[k]) for k in DESKS]
        assert dumps[0] == dumps[1] == dumps[2]
        conn = w.desks["a"].store.conn
        from app.sync.merge import load_entries
        for dev, eid in w.written:
            tbl, row_id = conn.execute("SELECT tbl, row_id FROM journal WHERE id = ?",
                                       (eid,)).fetchone()
            entries = {e.id: e for e in load_entries(conn, tbl, row_id)}
            e = entries[eid]
            row = conn.execute("SELECT * FROM person WHERE id = ?", (row_id,))
            names = [x[0] for x in row.description]
            current = dict(zip(names, row.fetchone()))
            for field, value in e.fields.items():
                if field in ("name_fold", "kana_fold", "search_key"):
                    continue
                kept = current[field] == value
                overwritten = any(o.saw(e) and field in o.fields for o in entries.values())
                loser = conn.execute("SELECT 1 FROM sync_conflict WHERE loser_entry = ? AND"
                                     " field = ?", (eid, field)).fetchone()
                assert kept or overwritten or loser, (field, value)
    finally:
        w.close()


@SETTINGS
@given(edits=st.lists(st.tuples(st.sampled_from(DESKS), st.integers(0, 2),
                                st.sampled_from(sorted(FIELDS)), st.integers(0, 2)),
                      max_size=10),
       order=pairs)
def test_conflicts_exactly_where_one_field_changed_on_two_sides(three_desks, edits, order):
    template, ids = three_desks
    w = World(template, ids)
    try:
        for dev, person, field, k in edits:      # all offline: every pair is concurrent
            values = FIELDS[field]
            w.edit(dev, person, field, values[k % len(values)])
        conn = w.desks["a"].store.conn
        expected = set()
        by_key: dict[tuple[str, str], set[tuple[str, str]]] = {}
        for dev, eid in w.written:
            row = w.desks[dev].store.conn.execute(
                "SELECT row_id, fields FROM journal WHERE id = ?", (eid,)).fetchone()
            for f, v in json.loads(row[1]).items():
                if f not in ("name_fold", "kana_fold", "search_key"):
                    by_key.setdefault((row[0], f), set()).add((dev, json.dumps(v)))
        for key, writes in by_key.items():
            if len({d for d, _v in writes}) > 1 and len({v for _d, v in writes}) > 1:
                expected.add(key)
        w.settle(order)
        found = {(r[0], r[1]) for r in conn.execute(
            "SELECT row_id, field FROM sync_conflict WHERE kind = 'field'")}
        assert found == expected
        assert dump(w.desks["a"]) == dump(w.desks["b"]) == dump(w.desks["d"])
    finally:
        w.close()


@SETTINGS
@given(order=st.permutations(range(4)), repeat=st.lists(st.integers(0, 3), max_size=3))
def test_same_bundles_in_any_order_give_the_same_database(three_desks, order, repeat):
    template, ids = three_desks
    w = World(template, ids)
    try:
        w.edit("a", 1, "address", "本町1")
        w.export("a", "d")
        w.edit("b", 1, "address", "北町2")
        w.intake("b", 1)
        w.export("b", "d")
        w.edit("a", 1, "phone_home", "011-111-1111")
        w.export("a", "d")
        w.edit("b", 2, "name", "山田 太朗")
        w.export("b", "d")
        reference = Path(tempfile.mkdtemp(dir=template.parent))
        try:
            for i in range(4):
                w.deliver(i)
            first = dump(w.desks["d"])
            w.desks["d"].close()
            copy_tree(template / "d", reference / "d")
            w.desks["d"] = open_dev(reference, "d")
            for i in [*order, *repeat]:
                w.deliver(i)
            assert dump(w.desks["d"]) == first
        finally:
            shutil.rmtree(reference, ignore_errors=True)
    finally:
        w.close()


@pytest.fixture(scope="module")
def one_bundle(three_desks, tmp_path_factory):
    template, ids = three_desks
    w = World(template, ids)
    w.edit("a", 1, "address", "本町1")
    w.intake("a", 7)
    w.export("a", "b")
    data = w.bundles[0][1].read_bytes()
    w.close()
    return data


@SETTINGS
@given(data=st.data())
def test_any_changed_byte_is_refused(three_desks, one_bundle, data):
    template, ids = three_desks
    pos = data.draw(st.integers(0, len(one_bundle) - 1), label="position")
    flip = data.draw(st.integers(1, 255), label="xor")
    cut = data.draw(st.booleans(), label="truncate instead")
    damaged = bytearray(one_bundle)
    if cut:
        damaged = damaged[:pos]
    else:
        damaged[pos] ^= flip
    w = World(template, ids, only=("b",))
    try:
        path = w.dir / "bad.tsb"
        path.write_bytes(bytes(damaged))
        before = dump(w.desks["b"])
        with pytest.raises(BundleRefused):
            w.desks["b"].sync.import_bundle(path)
        assert dump(w.desks["b"]) == before
    finally:
        w.close()


# ---------------------------------------------------------------------- master data
MASTER_KINDS = ("referral_source", "service")
MASTER_NAMES = ("ハローワーク", "ﾊﾛｰﾜｰｸ", "社会福祉協議会", "地域包括支援センター")  # 2 fold alike

master_ops = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(DESKS), st.sampled_from(MASTER_KINDS),
              st.integers(0, len(MASTER_NAMES) - 1)),
    st.tuples(st.just("rename"), st.sampled_from(DESKS), st.sampled_from(MASTER_KINDS),
              st.integers(0, 4), st.integers(0, len(MASTER_NAMES) - 1)),
    st.tuples(st.just("export"), st.sampled_from(DESKS), st.sampled_from(DESKS)),
    st.tuples(st.just("deliver"), st.integers(0, 50)),
)


@settings(SETTINGS, max_examples=200 if LONG else 25)
@given(steps=st.lists(master_ops, max_size=12), order=pairs)
def test_master_data_added_and_renamed_on_several_desks(three_desks, steps, order):
    """Entries of 紹介元 and services added or renamed under the same names on several
    desks offline: every exchange succeeds (no unique key fails a merge), the desks end
    identical, and two active entries of one list never share a name without an open
    conflict saying so."""
    from app.errors import ValidationErrors
    from app.operations.master import MasterInput, _fold
    from app.store.master_repo import MasterRepo
    template, ids = three_desks
    w = World(template, ids)
    try:
        for step in steps:
            if step[0] in ("add", "rename"):
                desk = w.desks[step[1]]
                kind = step[2]
                try:
                    if step[0] == "add":
                        desk.master.add_master_entry(kind, MasterInput(name=MASTER_NAMES[step[3]],
                                                                route="agency"))
                    else:
                        rows = MasterRepo(desk.store.conn).rows(kind)
                        e = rows[step[3] % len(rows)]
                        desk.master.edit_master_entry(kind, e["id"], MasterInput(
                            name=MASTER_NAMES[step[4]], route=e.get("route") or "agency",
                            statutory=bool(e.get("statutory")),
                            employment=bool(e.get("employment")),
                            needs_decision=bool(e.get("needs_decision")),
                            usual_months=e.get("usual_months")))
                except ValidationErrors:
                    pass   # the name is taken on this desk: refused there, as it should be
            elif step[0] == "export" and step[1] != step[2]:
                w.export(step[1], step[2])
            elif step[0] == "deliver" and w.bundles:
                w.deliver(step[1])
        w.settle(order)
        assert dump(w.desks["a"]) == dump(w.desks["b"]) == dump(w.desks["d"])
        for desk in w.desks.values():
            flagged = {c.row_id for c in desk.sync.conflicts()
                       if c.kind == "rule" and c.field == "duplicate_name"}
            for kind in MASTER_KINDS:
                groups: dict[str, list[str]] = {}
                for e in MasterRepo(desk.store.conn).rows(kind):
                    if e["active"]:
                        groups.setdefault(_fold(e["name"]), []).append(e["id"])
                for same in groups.values():
                    assert len(set(same) & flagged) >= len(same) - 1, same
    finally:
        w.close()
