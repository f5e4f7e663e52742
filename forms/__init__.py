"""The paper layer: PDF sheets (帳票) drawn with ReportLab. Never imports Qt.

``forms.fonts`` registers the bundled fonts and falls back per character; ``forms.kit`` is
the layout kit every sheet uses; ``forms.output`` writes PDFs atomically; one module per
sheet (``forms.intake``, ``forms.recovery``, …).
"""
