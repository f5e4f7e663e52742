"""Desk operations grouped by area: parts of app.desk.Desk built on one DeskContext
(context.py: desk.master, desk.reports) and the areas still mixed into Desk.

Each mixin uses ``self._store`` (the Store), ``self.user`` (the Staff logged in),
``self._require(permission)`` and ``self.today()`` provided by Desk.
"""
