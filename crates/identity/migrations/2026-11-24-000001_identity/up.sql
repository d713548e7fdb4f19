CREATE TABLE users (
    id                     uuid PRIMARY KEY,
    -- Stored exactly as submitted (DOMAIN §1.1); admins created by email may have none.
    phone                  varchar(15) UNIQUE,
    role                   text NOT NULL DEFAULT 'worker'
                           CHECK (role IN ('worker', 'contractor', 'employer', 'admin')),
    language_preference    varchar(5) NOT NULL DEFAULT 'en'
                           CHECK (language_preference IN ('en', 'hi', 'mr', 'ta', 'te')),
    first_name             varchar(50) NOT NULL DEFAULT '',
    last_name              varchar(50) NOT NULL DEFAULT '',
    email                  varchar(254),
    profile_picture        varchar(500) NOT NULL DEFAULT '',
    is_phone_verified      boolean NOT NULL DEFAULT false,
    is_active              boolean NOT NULL DEFAULT true,
    is_staff               boolean NOT NULL DEFAULT false,
    is_superuser           boolean NOT NULL DEFAULT false,
    -- argon2id PHC string; '' = cannot log in with a password.
    password               text NOT NULL DEFAULT '',
    -- Projections of workforce events, for `profile_exists`.
    has_worker_profile     boolean NOT NULL DEFAULT false,
    has_contractor_profile boolean NOT NULL DEFAULT false,
    last_login             timestamptz,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CHECK (phone IS NOT NULL OR email IS NOT NULL)
);
CREATE UNIQUE INDEX users_email_lower ON users (lower(email));
CREATE INDEX users_created_at ON users (created_at DESC);

CREATE TABLE otp_logs (
    id          uuid PRIMARY KEY,
    phone       varchar(15) NOT NULL,
    request_id  uuid NOT NULL,
    action      text NOT NULL CHECK (action IN ('request', 'verify_success', 'verify_fail')),
    ip_address  inet,
    user_agent  text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX otp_logs_phone ON otp_logs (phone);
CREATE INDEX otp_logs_request_id ON otp_logs (request_id);
CREATE INDEX otp_logs_created_at ON otp_logs (created_at DESC);

-- Every issued refresh token; a family is one login's chain of rotations.
CREATE TABLE refresh_tokens (
    id             uuid PRIMARY KEY,
    jti            varchar(64) NOT NULL UNIQUE,
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id      uuid NOT NULL,
    expires_at     timestamptz NOT NULL,
    revoked_at     timestamptz,
    revoked_reason text CHECK (revoked_reason IN ('rotated', 'logout', 'reuse')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);
