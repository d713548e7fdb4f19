-- identity's eKYC status of each user (DOMAIN §1.5: `none`, `ocr_scanned` or `verified`), carried by
-- identity.user.updated (a registration is always `none`): jobs' worker dashboard shows `complete_kyc`
-- until it is `verified` (API §11.1). Identity validates the value; the projection keeps what it says.
-- Users announced before the field existed are `none` until identity announces them again.
ALTER TABLE user_refs ADD COLUMN IF NOT EXISTS ekyc_status varchar(16) NOT NULL DEFAULT 'none';
