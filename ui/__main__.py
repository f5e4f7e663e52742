"""``python -m ui`` starts the GUI."""

from ui.main import main

raise SystemExit(main())
