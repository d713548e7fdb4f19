ALTER TABLE refresh_tokens DROP COLUMN issued_at;
ALTER TABLE refresh_tokens DROP COLUMN replaced_by;
