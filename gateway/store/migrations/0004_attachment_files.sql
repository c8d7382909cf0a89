-- Attachment files in the database every node shares (gateway/store/intakes.py): written
-- with their record, fetched by any node into its own data directory on first use.
CREATE TABLE attachment_files (
    sha256 TEXT PRIMARY KEY,
    data BYTEA NOT NULL
);
