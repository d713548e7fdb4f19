-- Emergency "Help Now" (DOMAIN §4.7–4.8, API §8): requests and the workers each was dispatched to.

CREATE TABLE emergency_requests (
    id                      uuid PRIMARY KEY,
    -- The signed-in user who asked (no row of ours: identity's user may not be projected yet).
    created_by              uuid,
    contact_phone           varchar(20) NOT NULL,
    site_id                 uuid REFERENCES site_refs (id) ON DELETE SET NULL,
    location_lat            numeric(9,6) NOT NULL CHECK (location_lat BETWEEN -90 AND 90),
    location_lng            numeric(9,6) NOT NULL CHECK (location_lng BETWEEN -180 AND 180),
    address_text            text NOT NULL,
    service_id              uuid REFERENCES service_refs (id) ON DELETE SET NULL,
    service_description     text NOT NULL DEFAULT '',
    urgency_level           varchar(10) NOT NULL DEFAULT 'high' CHECK (urgency_level IN ('low', 'medium', 'high')),
    status                  varchar(20) NOT NULL DEFAULT 'open'
                            CHECK (status IN ('open', 'dispatched', 'accepted', 'on_the_way', 'resolved', 'cancelled')),
    assigned_worker_id      uuid REFERENCES worker_refs (id) ON DELETE SET NULL,
    assigned_contractor_id  uuid REFERENCES contractor_refs (id) ON DELETE SET NULL,
    metadata                jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX emergency_requests_status_urgency ON emergency_requests (status, urgency_level);
CREATE INDEX emergency_requests_phone ON emergency_requests (contact_phone, created_at);
CREATE INDEX emergency_requests_location ON emergency_requests (location_lat, location_lng);
CREATE INDEX emergency_requests_created_status ON emergency_requests (created_at, status);
CREATE INDEX emergency_requests_created_by ON emergency_requests (created_by, created_at DESC)
    WHERE created_by IS NOT NULL;
CREATE INDEX emergency_requests_assigned_worker ON emergency_requests (assigned_worker_id)
    WHERE assigned_worker_id IS NOT NULL;
CREATE INDEX emergency_requests_assigned_contractor ON emergency_requests (assigned_contractor_id)
    WHERE assigned_contractor_id IS NOT NULL;
-- The timeout sweep: dispatched requests, oldest first.
CREATE INDEX emergency_requests_awaiting ON emergency_requests (created_at) WHERE status = 'dispatched';

-- One row per worker a request was dispatched to (a dispatch notifies a worker once).
CREATE TABLE emergency_dispatch_logs (
    id             uuid PRIMARY KEY,
    emergency_id   uuid NOT NULL REFERENCES emergency_requests (id) ON DELETE CASCADE,
    worker_id      uuid NOT NULL REFERENCES worker_refs (id) ON DELETE CASCADE,
    attempt_time   timestamptz NOT NULL DEFAULT now(),
    status         varchar(20) NOT NULL DEFAULT 'notified'
                   CHECK (status IN ('notified', 'accepted', 'declined', 'timeout')),
    response_time  timestamptz,
    raw_response   jsonb NOT NULL DEFAULT '{}',
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (emergency_id, worker_id)
);
CREATE INDEX emergency_dispatch_logs_attempt ON emergency_dispatch_logs (attempt_time);
-- A worker's requests (visibility).
CREATE INDEX emergency_dispatch_logs_worker ON emergency_dispatch_logs (worker_id, emergency_id);
