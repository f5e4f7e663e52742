"""``python -m app …``: everything a user can do without the screen.

The password comes from a prompt, or from TSUNAGU_PASSWORD for scripts. Every subcommand
takes ``--db PATH`` and ``--user NAME`` after its name; the default database is the one
the GUI uses. Errors exit non-zero with the Japanese message on stderr.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

from app.domain.paper import CASE_SHEETS, MEETING_SHEETS, Render
from app.errors import TsunaguError
from app.i18n import _


def _password(prompt: str, *, confirm: bool = False) -> str:
    env = os.environ.get("TSUNAGU_PASSWORD")
    if env is not None:
        return env
    if not sys.stdin.isatty():
        raise TsunaguError(_("No password was given: type it at the prompt, or set "
                             "TSUNAGU_PASSWORD for scripts."))
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass(_("Password (again): ")) != first:
        raise TsunaguError(_("The two passwords differ."))
    return first


def _common(p: argparse.ArgumentParser) -> None:
    from app.paths import default_db_path
    p.add_argument("--db", type=Path, default=None,
                   help=_("database file (default: {path})").format(path=default_db_path()))
    p.add_argument("--user", default=os.environ.get("TSUNAGU_USER", "admin"),
                   help=_("user name (default: TSUNAGU_USER or admin)"))


def _db(args) -> Path:
    from app.paths import default_db_path
    return args.db or default_db_path()


def _open(args):
    from app.desk import Desk
    return Desk.open(_db(args), args.user, _password(_("Password: ")))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m app",
        description=_("Tsunagu: case records of a self-reliance consultation support desk."))
    sub = parser.add_subparsers(dest="command", metavar=_("command"))

    p = sub.add_parser("init", help=_("create a new agency database"))
    _common(p)
    p.add_argument("--agency", required=True, help=_("agency name"))
    p.add_argument("--municipality", required=True, help=_("municipality"))
    p.add_argument("--population", required=True, type=int, help=_("population"))
    p.add_argument("--name", default="", help=_("administrator's display name"))
    p.add_argument("--recovery-sheet", type=Path, default=None,
                   help=_("also write the recovery-key sheet to this PDF"))

    p = sub.add_parser("demo", help=_("build a demo desk with synthetic cases"))
    _common(p)
    p.add_argument("--cases", type=int, default=200, help=_("number of cases"))
    p.add_argument("--records-per-case", type=int, default=10,
                   help=_("about how many support records each case gets"))

    p = sub.add_parser("cases", help=_("list or search cases"))
    csub = p.add_subparsers(dest="cases_command", metavar=_("action"))
    pl = csub.add_parser("list", help=_("list cases"))
    _common(pl)
    pl.add_argument("--json", action="store_true", help=_("print JSON"))
    pl.add_argument("--limit", type=int, default=1000)
    ps = csub.add_parser("search", help=_("search by name or reading"))
    _common(ps)
    ps.add_argument("text")
    ps.add_argument("--json", action="store_true", help=_("print JSON"))
    ps.add_argument("--limit", type=int, default=1000)

    p = sub.add_parser("print", help=_("print a sheet to PDF"))
    _common(p)
    p.add_argument("--case", help=_("case number, e.g. 2026-0001"))
    p.add_argument("--sheet", default="intake", choices=[*CASE_SHEETS, *MEETING_SHEETS],
                   help=_("sheet name"))
    p.add_argument("--meeting", help=_("meeting ID (for the agenda and minutes sheets)"))
    p.add_argument("--visit-kit", action="store_true",
                   help=_("home-visit kit: blank sheets pre-filled for --case NO[,NO…], or "
                          "for a new person without --case"))
    p.add_argument("--blank", action="store_true", help=_("blank sheet for handwriting"))
    p.add_argument("--out", type=Path, required=True, help=_("output PDF file"))

    p = sub.add_parser("backup", help=_("write an encrypted, verified backup"))
    _common(p)
    p.add_argument("--to", type=Path, default=None,
                   help=_("backup folder (default: the folder in the settings)"))

    p = sub.add_parser("verify", help=_("check the database and its newest backup"))
    _common(p)
    p.add_argument("--backups", type=Path, default=None, help=_("backup folder"))

    p = sub.add_parser("restore", help=_("replace the database with a backup"))
    _common(p)
    p.add_argument("file", type=Path, help=_("backup file (tsunagu-….db)"))
    p.add_argument("--recovery-key", action="store_true",
                   help=_("unlock the backup with the recovery key instead of a password"))

    p = sub.add_parser("audit", help=_("audit log"))
    asub = p.add_subparsers(dest="audit_command", metavar=_("action"))
    pv = asub.add_parser("verify", help=_("check the hash chain of the audit log"))
    _common(pv)
    pe = asub.add_parser("export", help=_("write the audit log as CSV (for Excel)"))
    _common(pe)
    pe.add_argument("--out", type=Path, required=True, help=_("CSV file to write"))

    p = sub.add_parser("users", help=_("user accounts (administrator)"))
    usub = p.add_subparsers(dest="users_command", metavar=_("action"))
    pu = usub.add_parser("add", help=_("add a user (password from the prompt or "
                                       "TSUNAGU_NEW_PASSWORD)"))
    _common(pu)
    pu.add_argument("--name", required=True, help=_("the new user's login name"))
    pu.add_argument("--role", required=True,
                    help=_("role: admin, chief, consultant, employment, municipal, viewer "
                           "(or its Japanese name)"))
    pu.add_argument("--display", default="", help=_("display name (default: the login name)"))
    pu.add_argument("--team", default="", help=_("team"))
    pu = usub.add_parser("list", help=_("list users"))
    _common(pu)
    pu = usub.add_parser("disable", help=_("disable a user (its key slot is removed)"))
    _common(pu)
    pu.add_argument("login", help=_("login name"))

    p = sub.add_parser("bundle", help=_("transfer files between devices"))
    bsub = p.add_subparsers(dest="bundle_command", metavar=_("action"))
    pe = bsub.add_parser("export", help=_("write a transfer file"))
    _common(pe)
    pe.add_argument("--out", type=Path, required=True, help=_("transfer file to write"))
    pe.add_argument("--for", dest="for_device", default=None,
                    help=_("device id or code: what it has not seen yet"))
    pe.add_argument("--cases", default=None, help=_("case numbers, separated by commas"))
    pi = bsub.add_parser("import", help=_("apply a transfer file"))
    _common(pi)
    pi.add_argument("file", type=Path, help=_("transfer file"))

    p = sub.add_parser("device", help=_("devices of this agency (desk PCs, field laptops)"))
    dsub = p.add_subparsers(dest="device_command", metavar=_("action"))
    pa = dsub.add_parser("add", help=_("make a new installation in a folder"))
    _common(pa)
    pa.add_argument("--kind", required=True, choices=["field", "desk"], help=_("kind of device"))
    pa.add_argument("--name", required=True, help=_("device name"))
    pa.add_argument("--out", type=Path, required=True, help=_("folder for the new installation"))
    pa.add_argument("--cases", default=None,
                    help=_("case numbers to check out to a field device, separated by commas"))
    pl = dsub.add_parser("list", help=_("list devices"))
    _common(pl)
    pl.add_argument("--json", action="store_true", help=_("print JSON"))
    pr = dsub.add_parser("revoke", help=_("refuse a lost or retired device's transfer files"))
    _common(pr)
    pr.add_argument("device", help=_("device id or code"))
    for action, text in (("checkout", _("check cases out to a field device")),
                         ("checkin", _("check cases back in from a field device"))):
        pc = dsub.add_parser(action, help=text)
        _common(pc)
        pc.add_argument("device", help=_("device id or code"))
        pc.add_argument("cases", help=_("case numbers, separated by commas"))
    p = sub.add_parser("report", help=_("statistics and lists for the municipality (issue 7)"))
    rsub = p.add_subparsers(dest="report_command", metavar=_("report"))
    for name, text in (("monthly", _("monthly statistics (STATISTICS.md)")),
                       ("fiscal-year", _("fiscal-year statistics: twelve months, sums, rates")),
                       ("caseload", _("caseload list: the cases in support"))):
        pr = rsub.add_parser(name, help=text)
        _common(pr)
        if name == "monthly":
            pr.add_argument("--month", required=True, help=_("month, e.g. 2026-04"))
        elif name == "fiscal-year":
            pr.add_argument("--year", required=True, type=int, help=_("fiscal year, e.g. 2026"))
        formats = ["csv", "xlsx", "pdf"] if name == "caseload" else ["json", "csv", "xlsx", "pdf"]
        pr.add_argument("--format", default=formats[0], choices=formats, help=_("output format"))
        pr.add_argument("--out", type=Path, default=None,
                        help=_("output file (JSON is printed when omitted)"))
        pr.add_argument("--encoding", default="utf-8", choices=["utf-8", "cp932"],
                        help=_("CSV encoding (default: UTF-8 with BOM)"))

    p = sub.add_parser("export-ledger", help=_("write every case as a ledger in the import's "
                                               "own columns (LEDGER.md)"))
    _common(p)
    p.add_argument("--out", type=Path, required=True, help=_("output file (.xlsx or .csv)"))
    p.add_argument("--format", default=None, choices=["xlsx", "csv"],
                   help=_("output format (default: from the file name, else xlsx)"))
    p.add_argument("--encoding", default="utf-8", choices=["utf-8", "cp932"],
                   help=_("CSV encoding (default: UTF-8 with BOM)"))
    # issue 15: the yearly report and the 社会資源 directory
    pr = rsub.add_parser("annual", help=_("the yearly plan and evaluation (事業報告)"))
    _common(pr)
    pr.add_argument("--year", required=True, type=int, help=_("fiscal year, e.g. 2026"))
    pr.add_argument("--format", default="json", choices=["json", "xlsx", "pdf"],
                    help=_("output format"))
    pr.add_argument("--out", type=Path, default=None,
                    help=_("output file (JSON is printed when omitted)"))
    p = sub.add_parser("resources", help=_("the social resource directory (社会資源)"))
    rsub2 = p.add_subparsers(dest="resources_command", metavar=_("action"))
    pl = rsub2.add_parser("list", help=_("list the directory"))
    _common(pl)
    pl.add_argument("--json", action="store_true", help=_("print JSON"))
    pl.add_argument("--search", default="", help=_("name, folded like names (kana, width, "
                                                     "variants)"))
    pl.add_argument("--all", action="store_true", help=_("include inactive entries"))
    pa = rsub2.add_parser("add", help=_("add an entry"))
    _common(pa)
    pa.add_argument("--name", required=True, help=_("name"))
    pa.add_argument("--kind", required=True, help=_("kind: public, agency, private, informal, "
                                                     "employer, training, other"))
    for opt, text in (("--field", _("field")), ("--address", _("address")),
                      ("--contact", _("contact")), ("--person", _("person in charge")),
                      ("--conditions", _("who may use it and conditions")),
                      ("--cost", _("cost")), ("--checked-on", _("last checked on")),
                      ("--note", _("notes"))):
        pa.add_argument(opt, default="", help=text)

    p = sub.add_parser("import-ledger", help=_("import an existing case ledger (LEDGER.md)"))
    _common(p)
    p.add_argument("file", type=Path, help=_("ledger file (.xlsx or .csv)"))
    p.add_argument("--dry-run", action="store_true", help=_("check only; write nothing"))
    p.add_argument("--sheet", default=None, metavar="NAME",
                   help=_("the workbook's sheet to read (default: the first with the "
                          "expected header)"))
    return parser


def _case_rows(cases, today) -> list[dict]:
    return [{"case_no": c.case_no, "name": c.name, "kana": c.kana,
             "age": c.age(today), "received_on": c.received_on.isoformat(),
             "stage": c.stage.value, "stage_label": c.stage.label, "assignee": c.assignee}
            for c in cases]


def _print_cases(rows: list[dict], as_json: bool) -> None:
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for r in rows:
        age = "" if r["age"] is None else str(r["age"])
        print(f"{r['case_no']}\t{r['name']}\t{r['kana']}\t{age}\t{r['received_on']}\t"
              f"{r['stage_label']}\t{r['assignee']}")


def _resource_row(r) -> dict:
    return {"id": r.id, "name": r.name, "kind": r.kind.value, "kind_label": r.kind.label,
            "field": r.field, "address": r.address, "contact": r.contact, "person": r.person,
            "conditions": r.conditions, "cost": r.cost,
            "checked_on": r.checked_on.isoformat() if r.checked_on else None,
            "note": r.note, "active": r.active, "uses": r.uses}


def _resources(parser, args) -> int:
    """``resources list [--json]`` / ``resources add --name N --kind K`` (issue 15)."""
    if args.resources_command is None:
        parser.parse_args(["resources", "--help"])
    from app.domain.region import ResourceInput
    with _open(args) as desk:
        if args.resources_command == "add":
            r = desk.region.add_resource(ResourceInput(
                name=args.name, kind=args.kind, field=args.field, address=args.address,
                contact=args.contact, person=args.person, conditions=args.conditions,
                cost=args.cost, checked_on=args.checked_on or None, note=args.note))
            print(_("Added: {name}").format(name=r.name))
            return 0
        rows = [_resource_row(r) for r in desk.region.resources(args.search, with_uses=True,
                                                         include_inactive=args.all)]
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=1))
        else:
            for r in rows:
                print(f"{r['name']}\t{r['kind_label']}\t{r['field']}\t{r['contact']}\t"
                      f"{r['uses']}")
    return 0


def _paper() -> Render:
    """What draws the sheets (forms/): the CLI is an entry point, so it hands the paper to
    the desk's print operations like the screens do — the one module of app/ that imports
    forms/ (import-linter contract in pyproject.toml)."""
    from forms.sheets import render
    return render


def _annual(desk, args) -> int:
    """``report annual --year Y --format json|xlsx|pdf [--out F]`` (issue 15)."""
    if args.format == "json" and args.out is None:
        print(json.dumps(desk.region.annual_report(args.year), ensure_ascii=False))
        return 0
    if args.out is None:
        raise TsunaguError(_("Give --out FILE for the {format} format.")
                           .format(format=args.format))
    desk.region.export_annual_report(args.year, args.out, args.format, render=_paper())
    print(_("Written: {path}").format(path=args.out))
    return 0


def run(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.command == "init":
        from app.desk import Desk
        password = _password(_("Administrator's password: "), confirm=True)
        desk, recovery = Desk.create(
            _db(args), agency_name=args.agency, municipality=args.municipality,
            population=args.population, admin_login=args.user,
            admin_name=args.name or args.user, password=password)
        with desk:
            print(_("Created {path}").format(path=_db(args)))
            print(_("Recovery key (shown once; print it and keep it in a safe): {key}")
                  .format(key=recovery))
            if args.recovery_sheet:
                from datetime import date

                from forms.recovery import render_recovery_key   # the paper (see _paper)
                render_recovery_key(args.recovery_sheet, desk.agency, recovery, date.today())
                print(_("Recovery-key sheet written to {path}").format(path=args.recovery_sheet))
        return 0
    if args.command == "demo":
        from app.demo import create_demo
        path = _db(args)
        login, password = create_demo(
            path, args.cases, records_per_case=args.records_per_case,
            progress=lambda done, total: print(f"{done}/{total}", file=sys.stderr))
        print(_("Demo desk: {path}").format(path=path))
        print(_("User: {login}").format(login=login))
        print(_("Password: {password}").format(password=password))
        return 0
    if args.command == "cases":
        if args.cases_command is None:
            parser.parse_args(["cases", "--help"])
        with _open(args) as desk:
            text = args.text if args.cases_command == "search" else ""
            cases = desk.list_cases(text, limit=args.limit)
            _print_cases(_case_rows(cases, desk.today()), args.json)
        return 0
    if args.command == "print":
        with _open(args) as desk:
            if args.visit_kit:
                numbers = [n for n in (args.case or "").split(",") if n.strip()]
                warnings = desk.paper.print_visit_kit([desk.case_id(n) for n in numbers],
                                                      args.out, render=_paper())
            elif args.meeting or args.sheet in ("agenda", "minutes"):
                if not args.meeting or args.sheet not in ("agenda", "minutes"):
                    raise TsunaguError(_("Give --meeting ID with --sheet agenda or minutes."))
                warnings = desk.paper.print_meeting(args.meeting, args.sheet, args.out,
                                                    render=_paper())
            else:
                case_id = desk.case_id(args.case) if args.case else None
                if case_id is None and not args.blank:
                    raise TsunaguError(_("Give --case NUMBER, or --blank for a blank sheet."))
                warnings = desk.paper.print_sheet(case_id, args.sheet, args.out,
                                                  blank=args.blank, render=_paper())
            for w in warnings:
                print(w, file=sys.stderr)
            print(_("Written: {path}").format(path=args.out))
        return 0
    if args.command == "backup":
        with _open(args) as desk:
            target = desk.maintenance.backup(args.to)
            print(_("Backup written and verified: {path}").format(path=target))
        return 0
    if args.command == "verify":
        from app.store.backup import list_backups
        from app.desk import Desk
        password = _password(_("Password: "))
        damaged = _verify_damaged(args, password)
        if damaged is not None:
            return damaged
        with Desk.open(_db(args), args.user, password) as desk:
            desk.maintenance.check_integrity()
            print(_("Database: OK ({path})").format(path=desk.path))
            backups = list_backups(args.backups or desk.maintenance.backup_folder())
            if not backups:
                print(_("No backup was found in {folder}. Make one with: python -m app backup")
                      .format(folder=args.backups or desk.maintenance.backup_folder()), file=sys.stderr)
                return 4
            desk.maintenance.verify_backup(backups[0].path)
            print(_("Newest backup: OK ({path})").format(path=backups[0].path))
        return 0
    if args.command == "restore":
        from app.desk import Desk
        secret = _password(_("Recovery key: ") if args.recovery_key else _("Password: "))
        report = Desk.restore(args.file, _db(args), "" if args.recovery_key else args.user,
                              secret)
        print(_("Restored {backup} to {path}. The replaced database was kept as {kept}.")
              .format(backup=args.file, path=_db(args), kept=report))
        print(report.message)
        return 0
    if args.command == "audit":
        if args.audit_command is None:
            parser.parse_args(["audit", "--help"])
        with _open(args) as desk:
            if args.audit_command == "export":
                n = desk.security.audit_export_csv(args.out)
                print(_("Audit log written: {path} ({n} entries)").format(path=args.out, n=n))
                return 0
            broken = desk.security.audit_check()
            if broken is None:
                print(_("The audit log is intact."))
                return 0
            if broken.anchored_by:
                print(_("Audit entries were removed: the log now ends with the entry of {at}, "
                        "but {source} recorded entry {seq} (written {anchored_at}). Entries "
                        "since {at} are missing.").format(
                            at=broken.at or "-", source=broken.anchored_by,
                            seq=broken.anchored_seq, anchored_at=broken.anchored_at),
                      file=sys.stderr)
                return 3
            print(_("The audit log is broken at entry {seq}.").format(seq=broken.seq),
                  file=sys.stderr)
            print((_("Entry {seq} is missing (deleted); the entry before it was written at "
                     "{at}.") if broken.deleted else
                   _("Entry {seq}, written at {at}, was changed.")).format(
                       seq=broken.seq, at=broken.at), file=sys.stderr)
            return 3
    if args.command == "users":
        if args.users_command is None:
            parser.parse_args(["users", "--help"])
        return _users(args)
    if args.command == "bundle":
        if args.bundle_command is None:
            parser.parse_args(["bundle", "--help"])
        with _open(args) as desk:
            if args.bundle_command == "export":
                cases = [c for c in args.cases.split(",") if c.strip()] if args.cases else None
                header = desk.sync.export_bundle(args.out, for_device=args.for_device, cases=cases)
                print(_("Transfer file written: {path} ({n} entries)")
                      .format(path=args.out, n=header["entries"]))
            else:
                counts = asdict(desk.sync.import_bundle(args.file))
                if not counts["refused"]:
                    del counts["refused"]      # (said only when rows were refused)
                print(json.dumps(counts))
        return 0
    if args.command == "device":
        if args.device_command is None:
            parser.parse_args(["device", "--help"])
        with _open(args) as desk:
            if args.device_command == "add":
                cases = [c for c in args.cases.split(",") if c.strip()] if args.cases else None
                d = desk.sync.add_device(args.kind, args.name, args.out, cases=cases)
                print(_("Device {name} ({code}) created in {folder}. Copy the folder to the "
                        "device; it opens with the same users and passwords.")
                      .format(name=d.name, code=d.code, folder=args.out))
                print(d.id)
            elif args.device_command == "list":
                rows = [d.__dict__ for d in desk.sync.devices()]
                if args.json:
                    print(json.dumps(rows, ensure_ascii=False, indent=1))
                for d in ([] if args.json else rows):
                    state = _("revoked") if d["revoked"] else ""
                    print(f"{d['id']}\t{d['code'] or '-'}\t{d['kind']}\t{d['name']}\t"
                          f"{d['cases']}\t{'*' if d['this'] else ''}{state}")
            elif args.device_command == "revoke":
                desk.sync.revoke_device(args.device)
                print(_("Device {device} revoked.").format(device=args.device))
            else:
                cases = [c for c in args.cases.split(",") if c.strip()]
                if args.device_command == "checkout":
                    n = desk.sync.check_out(cases, args.device)
                else:
                    n = desk.sync.check_in(cases, args.device)
                print(n)
        return 0
    if args.command == "resources":
        return _resources(parser, args)
    if args.command == "report":
        if args.report_command is None:
            parser.parse_args(["report", "--help"])
        with _open(args) as desk:
            if args.report_command == "annual":
                return _annual(desk, args)
            if args.format == "json":
                data = (desk.reports.monthly_report(args.month) if args.report_command == "monthly"
                        else desk.reports.fiscal_year_report(args.year))
                text = json.dumps(data, ensure_ascii=False)
                if args.out:
                    from app.files import write_atomic
                    write_atomic(args.out, (text + "\n").encode("utf-8"))
                else:
                    print(text)
                return 0
            if args.out is None:
                raise TsunaguError(_("Give --out FILE for the {format} format.")
                                   .format(format=args.format))
            if args.report_command == "monthly":
                desk.reports.export_monthly(args.month, args.out, args.format,
                                            encoding=args.encoding, render=_paper())
            elif args.report_command == "fiscal-year":
                desk.reports.export_fiscal_year(args.year, args.out, args.format,
                                                encoding=args.encoding, render=_paper())
            else:
                desk.reports.export_caseload(args.out, args.format, encoding=args.encoding,
                                             render=_paper())
            print(_("Written: {path}").format(path=args.out))
        return 0
    if args.command == "export-ledger":
        fmt = args.format or ("csv" if args.out.suffix.lower() == ".csv" else "xlsx")
        with _open(args) as desk:
            desk.reports.export_ledger(args.out, fmt, encoding=args.encoding)
        print(_("Written: {path}").format(path=args.out))
        return 0
    if args.command == "import-ledger":
        with _open(args) as desk:
            report = desk.ledger.import_ledger(args.file, dry_run=args.dry_run, sheet=args.sheet)
            for line in report.lines():
                print(line)
            return 0 if report.ok else 5
    parser.print_help()
    return 2


def _verify_damaged(args, password: str) -> int | None:
    """``verify`` when the database itself does not open (damaged, cut off, key file
    gone): say so, and still check the newest backup with the password, so the user knows
    whether ``restore`` will work. Exit 3 (damaged). None: the database opens."""
    from app.desk import Desk
    from app.errors import DamagedDatabase, MissingKeySlots, TruncatedDatabase
    from app.operations.maintenance import BackupUnlocker, backup_folders_for
    from app.store.backup import list_backups
    try:
        Desk.open(_db(args), args.user, password).close()
        return None
    except (DamagedDatabase, TruncatedDatabase, MissingKeySlots) as exc:
        print(_("Database: DAMAGED — {problem}").format(problem=exc), file=sys.stderr)
    folders = [args.backups] if args.backups else backup_folders_for(_db(args))
    backups = sorted((b for f in folders for b in list_backups(f)),
                     key=lambda b: b.created, reverse=True)
    if not backups:
        print(_("No backup was found in {folder}. Make one with: python -m app backup")
              .format(folder=", ".join(str(f) for f in folders)), file=sys.stderr)
        return 4
    unlocker = BackupUnlocker(args.user, password)
    for info in backups:
        try:
            unlocker.check(info.path)
        except TsunaguError as exc:
            print(_("Backup {path}: {problem}").format(path=info.path, problem=exc),
                  file=sys.stderr)
            continue
        print(_("Newest intact backup: OK ({path}). Restore it with: python -m app restore "
                "{path}").format(path=info.path))
        return 3
    print(_("No intact backup was found."), file=sys.stderr)
    return 3


def _role_arg(text: str):
    from app.security.roles import Role
    for role in Role:
        if text.strip() in (role.value, role.label):
            return role
    raise TsunaguError(_("Unknown role: {role}").format(role=text) + " (" + ", ".join(
        f"{r.value}={r.label}" for r in Role) + ")")


def _users(args) -> int:
    if args.users_command == "add":
        role = _role_arg(args.role)
        new = os.environ.get("TSUNAGU_NEW_PASSWORD")
        if new is None:
            if not sys.stdin.isatty():
                raise TsunaguError(_("No password for the new user was given: type it at the "
                                     "prompt, or set TSUNAGU_NEW_PASSWORD for scripts."))
            new = getpass.getpass(_("Password of the new user: "))
            if getpass.getpass(_("Password (again): ")) != new:
                raise TsunaguError(_("The two passwords differ."))
    with _open(args) as desk:
        if args.users_command == "add":
            u = desk.security.add_user(args.name, args.display or args.name, role, new, team=args.team)
            print(_("User {login} ({name}, {role}) added.").format(
                login=u.login, name=u.display_name, role=u.role_label))
        elif args.users_command == "list":
            for u in desk.security.list_users():
                state = "" if u.active else _("disabled")
                print(f"{u.login}\t{u.display_name}\t{u.role_label}\t{u.team}\t{state}")
        elif args.users_command == "disable":
            desk.security.disable_user(args.login)
            print(_("User {login} disabled: it can no longer open the database.")
                  .format(login=args.login))
    return 0


def main(argv: list[str] | None = None) -> int:
    try:
        return run(argv)
    except TsunaguError as exc:
        print(_("Error: {message}").format(message=exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
