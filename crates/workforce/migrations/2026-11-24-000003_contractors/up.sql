CREATE TABLE contractor_profiles (
    id                uuid PRIMARY KEY,
    user_id           uuid NOT NULL UNIQUE,
    company_name      varchar(200) NOT NULL DEFAULT '',
    license_number    varchar(100) NOT NULL DEFAULT '',
    gst_number        varchar(15) NOT NULL DEFAULT '',
    address           text NOT NULL DEFAULT '',
    city              varchar(100) NOT NULL DEFAULT '',
    state             varchar(100) NOT NULL DEFAULT '',
    postal_code       varchar(10) NOT NULL DEFAULT '',
    website           varchar(200) NOT NULL DEFAULT '',
    experience_years  integer NOT NULL DEFAULT 0 CHECK (experience_years BETWEEN 0 AND 80),
    rating            numeric(3,2) NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5),
    total_projects    integer NOT NULL DEFAULT 0 CHECK (total_projects >= 0),
    is_active         boolean NOT NULL DEFAULT true,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contractor_profiles_created ON contractor_profiles (created_at DESC);
