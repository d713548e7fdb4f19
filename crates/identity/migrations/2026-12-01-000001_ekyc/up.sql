-- eKYC (DOMAIN §1.1, §1.5; API §3.5-3.6): the last four Aadhaar digits, sealed with AES-256-GCM under
-- the key named by aadhaar_key_id (the first 8 bytes of SHA-256 of the key, hex), bound to the user's
-- id; never the digits themselves. Both set or both null. Key rotation rewrites the pair
-- (`hm-identity reencrypt-ekyc`); the partial index finds the values still under an old key.
ALTER TABLE users
    ADD COLUMN aadhaar_last4_encrypted bytea,
    ADD COLUMN aadhaar_key_id text,
    ADD COLUMN ekyc_status text NOT NULL DEFAULT 'none'
        CHECK (ekyc_status IN ('none', 'ocr_scanned', 'verified')),
    ADD CONSTRAINT users_aadhaar_sealed_with_key
        CHECK ((aadhaar_last4_encrypted IS NULL) = (aadhaar_key_id IS NULL));
CREATE INDEX users_aadhaar_key_id ON users (aadhaar_key_id) WHERE aadhaar_key_id IS NOT NULL;
