"""Desk operations grouped by area (mixins of app.desk.Desk).

Each mixin uses ``self._store`` (the Store), ``self.user`` (the Staff logged in),
``self._require(permission)`` and ``self.today()`` provided by Desk.
"""
