-- Construction sites of contractors and the workers assigned to them (DOMAIN §3.3–3.4).
CREATE TABLE sites (
    id             uuid PRIMARY KEY,
    contractor_id  uuid NOT NULL REFERENCES contractor_profiles (id) ON DELETE CASCADE,
    name           varchar(255) NOT NULL,
    address        text NOT NULL,
    lat            numeric(9,6) CHECK (lat BETWEEN -90 AND 90),
    lng            numeric(9,6) CHECK (lng BETWEEN -180 AND 180),
    phone          varchar(20) NOT NULL DEFAULT '',
    is_active      boolean NOT NULL DEFAULT true,
    start_date     date,
    end_date       date,
    metadata       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (start_date IS NULL OR end_date IS NULL OR start_date <= end_date)
);
CREATE INDEX sites_contractor ON sites (contractor_id, created_at DESC);

CREATE TABLE site_assignments (
    id            uuid PRIMARY KEY,
    site_id       uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    worker_id     uuid NOT NULL REFERENCES worker_profiles (id) ON DELETE CASCADE,
    assigned_by   uuid,
    assigned_at   timestamptz NOT NULL DEFAULT now(),
    role_on_site  varchar(100) NOT NULL DEFAULT '',
    is_active     boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (site_id, worker_id)
);
CREATE INDEX site_assignments_worker ON site_assignments (worker_id);
