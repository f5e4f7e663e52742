"""Merge rules (public face; the SQL lives in app/store/sync_merge.py).

See app/store/sync_merge.py for the rules: rows folded from journal entries, newest
(hlc, entry id) wins per field, concurrent writes with different values become conflicts,
a deletion that did not see an edit keeps the edit and is flagged. Other modules extend:

* ``register_append_only(table, …)`` — records that are only ever inserted;
* ``DERIVED[table] = (columns, fn)`` — columns recomputed from merged values;
* ``register_post_merge_check(fn, rule, still_broken)`` — process rules checked on the
  cases a merge touched (app/process.py); issues become ``rule`` conflicts.
"""

from app.store.sync_merge import (  # noqa: F401
    APPEND_ONLY, DERIVED, POST_MERGE_CHECKS, ROW_META, RULE_STATUS, Entry, Merger, RuleIssue,
    conflict_is_open, post_merge_checks, register_append_only, register_post_merge_check,
    two_approved_plans,
)
