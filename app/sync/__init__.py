"""Sync between installations of one agency: devices, transfer bundles, merge, conflicts.

The rules live here; their SQL in app/store/sync_*.py (plain queries; app.store never
imports app.sync). Qt-free; the 同期 screen and the CLI drive it through ``desk.sync`` and
``desk.sync_folder`` (app/operations/sync*.py: permissions, transactions, audit entries),
which this package never imports.

* ``bundle``    the transfer file: format, signature, encryption, entry checks
* ``identity``  device key pairs, certificates, whom to trust
* ``devices``   making a new installation, this installation's keys and anchors
* ``scope``     which rows belong to which case (what a laptop holds, a case bundle carries)
* ``exchange``  export and import: the entries of a bundle, opening, applying, purging
* ``peers``     version vectors: what each peer is known to hold
* ``merge``     folding entries into rows, derived columns, conflicts, post-merge rules
* ``conflicts`` conflicts as a person reads and settles them
"""
