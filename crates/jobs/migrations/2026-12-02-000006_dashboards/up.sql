-- Role dashboards (API §11, DOMAIN §7): what they need of other services, kept from their events
-- (ARCHITECTURE §3: no request between services), and the indexes their counts of jobs' own tables use.

-- The worker's verification and last activity (workforce.worker.*; DOMAIN §3.1): the worker dashboard's
-- `verify_profile` badge and "last seen", the admin dashboard's workers online (available and seen within
-- 30 minutes).
ALTER TABLE dispatch_workers ADD COLUMN is_verified boolean NOT NULL DEFAULT false;
ALTER TABLE dispatch_workers ADD COLUMN last_seen timestamptz;
CREATE INDEX dispatch_workers_online ON dispatch_workers (last_seen) WHERE is_available;

-- Every toggle of a worker's (workforce.worker.availability_changed) as of the event that told it
-- (workers online over the day): `was_available` is the state of the row before it, so a row where the
-- two differ is +1 or -1 online; the latest row's state is the worker's `history_available`.
ALTER TABLE dispatch_workers ADD COLUMN history_available boolean NOT NULL DEFAULT false;
CREATE INDEX dispatch_workers_history_available ON dispatch_workers (profile_id) WHERE history_available;
CREATE TABLE availability_transitions (
    id             uuid PRIMARY KEY,
    profile_id     uuid NOT NULL REFERENCES worker_refs (id) ON DELETE CASCADE,
    at             timestamptz NOT NULL,
    is_available   boolean NOT NULL,
    was_available  boolean NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (profile_id, at)
);
CREATE INDEX availability_transitions_at ON availability_transitions (at);
-- Workers online before the history began went online when the index last heard so.
INSERT INTO availability_transitions (id, profile_id, at, is_available, was_available)
    SELECT gen_random_uuid(), profile_id, coalesce(availability_at, updated_at), true, false
    FROM dispatch_workers WHERE is_available;
UPDATE dispatch_workers SET history_available = true WHERE is_available;

-- A site's numbers on a day (workforce.site.stats_changed): who is present, the latest event by
-- `occurred_at` (`as_of`) per site and day.
CREATE TABLE site_day_stats (
    id             uuid PRIMARY KEY,
    site_id        uuid NOT NULL,
    day            date NOT NULL,
    contractor_id  uuid NOT NULL,
    present        bigint NOT NULL CHECK (present >= 0),
    as_of          timestamptz NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (site_id, day)
);
-- ... and its active assignments, whatever the day: the latest event's per site.
CREATE TABLE site_assignment_counts (
    site_id             uuid PRIMARY KEY,
    contractor_id       uuid NOT NULL,
    active_assignments  bigint NOT NULL CHECK (active_assignments >= 0),
    as_of               timestamptz NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- A person's unread notifications (notifications.unread_count.changed): the latest event's.
CREATE TABLE unread_counts (
    user_id     uuid PRIMARY KEY,
    unread      bigint NOT NULL CHECK (unread >= 0),
    as_of       timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- The admin dashboard's bookings made today, the contractor dashboard's pending jobs.
CREATE INDEX bookings_created ON bookings (created_at);
CREATE INDEX jobs_contractor ON jobs (contractor_id, status) WHERE contractor_id IS NOT NULL;
