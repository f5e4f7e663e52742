"""The sheets' page and look: A4 geometry (margins, the frame the content fills) and the
rules, greys and sizes every part of a sheet shares (:mod:`forms.kit`, :mod:`forms.marks`,
:mod:`forms.page`)."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm


PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_LEFT = MARGIN_RIGHT = 15 * mm
MARGIN_TOP = 21 * mm          # the header sits in it
MARGIN_BOTTOM = 18 * mm       # the footer sits in it
SAFE_MARGIN = 10 * mm         # nothing is drawn closer to the paper's edge (printers' limit ≈5 mm)
CONTENT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
CONTENT_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

RULE = 0.5                    # thin black rule of the grids
FRAME_RULE = 1.0              # outer frame of a grid
LABEL_BG = colors.Color(0.9, 0.9, 0.9)
FAINT = colors.Color(0.6, 0.6, 0.6)
PAD_RIGHT = 5                 # right padding of cells (JText never hangs 、。 past the line)

BODY_SIZE = 9
LABEL_SIZE = 8.5
