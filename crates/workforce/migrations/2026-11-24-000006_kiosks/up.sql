-- Attendance kiosks and what they record (DOMAIN §3.6–3.8). A kiosk authenticates with a secret device
-- token, stored only as its SHA-256.
CREATE TABLE kiosks (
    id                 uuid PRIMARY KEY,
    contractor_id      uuid REFERENCES contractor_profiles (id) ON DELETE CASCADE,
    site_id            uuid REFERENCES sites (id) ON DELETE SET NULL,
    device_uuid        varchar(100) NOT NULL UNIQUE,
    location_name      varchar(200) NOT NULL,
    address            text NOT NULL DEFAULT '',
    latitude           numeric(9,6) CHECK (latitude BETWEEN -90 AND 90),
    longitude          numeric(9,6) CHECK (longitude BETWEEN -180 AND 180),
    geofence_radius_m  integer NOT NULL DEFAULT 200 CHECK (geofence_radius_m BETWEEN 10 AND 10000),
    is_active          boolean NOT NULL DEFAULT true,
    token_hash         varchar(64) NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);

-- Daily kiosk attendance ("biometric stub"): one per worker (a user) per day.
CREATE TABLE attendance (
    id          uuid PRIMARY KEY,
    worker_id   uuid NOT NULL,
    kiosk_id    uuid REFERENCES kiosks (id) ON DELETE SET NULL,
    method      varchar(20) NOT NULL DEFAULT 'stub' CHECK (method IN ('stub', 'biometric')),
    device_id   varchar(64),
    timestamp   timestamptz NOT NULL DEFAULT now(),
    date        date NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (worker_id, date)
);
CREATE INDEX attendance_kiosk_day ON attendance (kiosk_id, date, timestamp DESC);

-- Check-in / check-out at a kiosk; at most one open check-in per worker, enforced here.
CREATE TABLE attendance_logs (
    id           uuid PRIMARY KEY,
    worker_id    uuid NOT NULL,
    kiosk_id     uuid NOT NULL REFERENCES kiosks (id) ON DELETE RESTRICT,
    check_in     timestamptz NOT NULL DEFAULT now(),
    check_out    timestamptz,
    notes        text NOT NULL DEFAULT '',
    distance_m   double precision,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (check_out IS NULL OR check_out >= check_in)
);
CREATE UNIQUE INDEX attendance_logs_one_open ON attendance_logs (worker_id) WHERE check_out IS NULL;
CREATE INDEX attendance_logs_kiosk ON attendance_logs (kiosk_id, check_in DESC);
