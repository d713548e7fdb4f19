-- identity's users as workforce shows them (names and phones on profiles), fed by identity.user.*.
CREATE TABLE user_refs (
    id          uuid PRIMARY KEY,
    phone       varchar(15) NOT NULL DEFAULT '',
    role        varchar(20) NOT NULL,
    first_name  varchar(50) NOT NULL DEFAULT '',
    last_name   varchar(50) NOT NULL DEFAULT '',
    is_active   boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
