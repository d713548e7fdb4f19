-- A rotated refresh token names its successor, and each token keeps the second it was issued, so a
-- duplicate refresh inside the grace window is given that same successor (signed again from its
-- claims) instead of a second, independent one: one live chain per family (API §3.3, issue #15).
ALTER TABLE refresh_tokens ADD COLUMN replaced_by varchar(64);
ALTER TABLE refresh_tokens ADD COLUMN issued_at timestamptz;
UPDATE refresh_tokens SET issued_at = date_trunc('second', created_at);
ALTER TABLE refresh_tokens ALTER COLUMN issued_at SET NOT NULL;
