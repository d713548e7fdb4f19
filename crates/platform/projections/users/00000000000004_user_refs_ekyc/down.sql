ALTER TABLE user_refs DROP COLUMN IF EXISTS ekyc_status;
