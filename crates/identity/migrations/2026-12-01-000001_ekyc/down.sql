DROP INDEX users_aadhaar_key_id;
ALTER TABLE users
    DROP CONSTRAINT users_aadhaar_sealed_with_key,
    DROP COLUMN ekyc_status,
    DROP COLUMN aadhaar_key_id,
    DROP COLUMN aadhaar_last4_encrypted;
