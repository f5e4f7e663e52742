"""Reports: the monthly statistics for the national government, the fiscal-year summary,
the 支援ケース一覧, and their exports (CSV, xlsx, PDF)."""
