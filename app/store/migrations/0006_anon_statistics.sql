-- Schema 6: what purged cases contributed to each month's statistics, so that deleting
-- personal data after the retention period never changes past figures.
-- key: "count:<counting key>", "active" (支援中 at the month end), "route:<route>",
-- "source:<referral source>", "service:<service name>". No personal data.
CREATE TABLE anon_stat (
    id TEXT PRIMARY KEY,
    month TEXT NOT NULL,
    key TEXT NOT NULL,
    value INTEGER NOT NULL,
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX anon_stat_month ON anon_stat (month);
