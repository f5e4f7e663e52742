"""The parts of the composed Desk (issue 21, like Anki's ``col.decks``, ``col.sched``):
each area is a class built on one shared ``DeskContext`` (context.py: store, user, today,
require, require_case, case_access, audit) and, in its constructor, the other parts it
calls — ``desk.process``, ``desk.sync``, ``desk.sync_folder``, ``desk.security``,
``desk.reports``, ``desk.master``, ``desk.maintenance``, ``desk.region``. Each class
declares the rule of every public method in ``RULES`` (app/security/authorization.py) and
is gated by ``install(cls)`` at the end of its module.
"""
