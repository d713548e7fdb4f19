-- Daily attendance a contractor marks at a site (DOMAIN §3.5).
CREATE TABLE site_attendance (
    id               uuid PRIMARY KEY,
    site_id          uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    worker_id        uuid NOT NULL REFERENCES worker_profiles (id) ON DELETE CASCADE,
    attendance_date  date NOT NULL,
    status           varchar(20) NOT NULL DEFAULT 'present'
                     CHECK (status IN ('present', 'absent', 'half_day', 'on_leave')),
    checkin_time     timestamptz,
    checkout_time    timestamptz,
    marked_by        uuid,
    notes            text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (site_id, worker_id, attendance_date),
    CHECK (checkout_time IS NULL OR checkin_time IS NULL OR checkout_time >= checkin_time)
);
CREATE INDEX site_attendance_day ON site_attendance (site_id, attendance_date);
