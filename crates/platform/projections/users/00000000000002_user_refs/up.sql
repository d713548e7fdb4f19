-- identity's users as a service shows them (names and phones), kept by identity.user.* (ARCHITECTURE §3,
-- hm_platform::projections). IF NOT EXISTS: databases made before the platform owned it already have it.
CREATE TABLE IF NOT EXISTS user_refs (
    id          uuid PRIMARY KEY,
    phone       varchar(15) NOT NULL DEFAULT '',
    role        varchar(20) NOT NULL,
    first_name  varchar(50) NOT NULL DEFAULT '',
    last_name   varchar(50) NOT NULL DEFAULT '',
    is_active   boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
