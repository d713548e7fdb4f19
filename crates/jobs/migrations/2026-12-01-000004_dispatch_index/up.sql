-- What emergency dispatch (DOMAIN §4.7) and requests need from workforce (ARCHITECTURE §3: fed by
-- events only): its sites and an index of its workers.

-- Workforce's construction sites (`workforce.site.*`): a request may name the site it is at.
CREATE TABLE site_refs (
    id             uuid PRIMARY KEY,
    contractor_id  uuid NOT NULL,
    name           varchar(255) NOT NULL DEFAULT '',
    is_active      boolean NOT NULL DEFAULT true,
    -- The `occurred_at` of the event last taken: an older one never overwrites it.
    as_of          timestamptz NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX site_refs_contractor ON site_refs (contractor_id);

-- The dispatch index: each worker's position, online toggle, rating and services, from
-- `workforce.worker.created|updated` (the profile), `.location_updated` and `.availability_changed`;
-- each source keeps the time of the event it last took, so one delivered late never overwrites newer
-- state. A deleted profile (its worker_refs row) takes its row with it.
CREATE TABLE dispatch_workers (
    profile_id       uuid PRIMARY KEY REFERENCES worker_refs (id) ON DELETE CASCADE,
    user_id          uuid NOT NULL,
    lat              double precision CHECK (lat BETWEEN -90 AND 90),
    lng              double precision CHECK (lng BETWEEN -180 AND 180),
    is_available     boolean NOT NULL DEFAULT false,
    rating           double precision NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5),
    service_ids      uuid[] NOT NULL DEFAULT '{}',
    profile_at       timestamptz,
    location_at      timestamptz,
    availability_at  timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((lat IS NULL) = (lng IS NULL))
);
-- Dispatch searches available, located workers inside a bounding box (then haversine in Rust): never
-- a scan of every worker.
CREATE INDEX dispatch_workers_available_position ON dispatch_workers (lat, lng)
    WHERE is_available;
-- A request that names a service: `service_ids @> ARRAY[service]`.
CREATE INDEX dispatch_workers_services ON dispatch_workers USING gin (service_ids);
