"""The paper layer: PDF sheets (帳票) drawn with ReportLab. Never imports Qt.

forms/ draws the plain records of app/domain/paper.py that the core reads for it (only what
each sheet shows); it never reads the database and takes from app/ only app.domain and a few
utilities (import-linter, pyproject.toml). ``forms.sheets.render`` is the drawing function the
screens and the CLI hand to the desk's print operations (``render=``).

``forms.fonts`` registers the bundled fonts and falls back per character; ``forms.kit`` is
the layout kit every sheet uses; ``forms.output`` writes PDFs atomically; one module per
sheet (``forms.intake``, ``forms.recovery``, …).
"""
