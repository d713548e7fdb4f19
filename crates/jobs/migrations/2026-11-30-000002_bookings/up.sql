-- Workers as workforce shows them (its worker events carry the profile), for bookings' `worker`.
ALTER TABLE worker_refs ADD COLUMN profile jsonb;

-- Bookings (DOMAIN §4.3): the customer's request for a service, its worker and its status machine.
CREATE TABLE bookings (
    id                  uuid PRIMARY KEY,
    user_id             uuid NOT NULL,
    worker_id           uuid,
    service_id          uuid NOT NULL REFERENCES service_refs (id),
    address             varchar(512) NOT NULL,
    lat                 numeric(9,6) CHECK (lat BETWEEN -90 AND 90),
    lng                 numeric(9,6) CHECK (lng BETWEEN -180 AND 180),
    preferred_time      timestamptz,
    notes               text,
    estimated_price     numeric(10,2) CHECK (estimated_price >= 0),
    status              varchar(32) NOT NULL DEFAULT 'requested'
                        CHECK (status IN ('requested', 'confirmed', 'on_the_way', 'arrived', 'completed',
                                          'cancelled', 'payment_pending')),
    eta_minutes         integer CHECK (eta_minutes >= 0),
    tracking_url        varchar(200),
    payment_method      varchar(8) NOT NULL DEFAULT 'cash' CHECK (payment_method IN ('cash', 'online', 'none')),
    payment_status      varchar(16) NOT NULL DEFAULT 'n/a' CHECK (payment_status IN ('pending', 'paid', 'failed', 'n/a')),
    payment_note        text,
    last_location       jsonb,
    last_location_time  timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bookings_status ON bookings (status, created_at DESC);
CREATE INDEX bookings_user ON bookings (user_id, created_at DESC);
CREATE INDEX bookings_worker ON bookings (worker_id, created_at DESC) WHERE worker_id IS NOT NULL;
