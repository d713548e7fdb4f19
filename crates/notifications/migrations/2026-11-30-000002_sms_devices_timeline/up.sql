-- SMS delivery log: one row per attempt to send an OTP (never the code), with the provider's later
-- delivery report.
CREATE TABLE sms_log (
    id                   uuid PRIMARY KEY,
    request_id           uuid NOT NULL,
    phone                varchar(32) NOT NULL,
    provider             varchar(16) NOT NULL,
    attempt              integer NOT NULL CHECK (attempt >= 1),
    -- sent: the provider accepted it; failed: a transient failure (retried until the attempts run out);
    -- rejected: the provider refused it (4xx, not retried); expired: dropped, the OTP was past its TTL.
    status               varchar(16) NOT NULL CHECK (status IN ('sent', 'failed', 'rejected', 'expired')),
    error                text,
    provider_message_id  varchar(64),
    delivery_status      varchar(16),
    delivery_error_code  varchar(16),
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sms_log_request ON sms_log (request_id, attempt);
CREATE INDEX sms_log_created ON sms_log (created_at DESC, status);
CREATE UNIQUE INDEX sms_log_provider_message ON sms_log (provider_message_id) WHERE provider_message_id IS NOT NULL;

-- Push registrations (DOMAIN §5.3), upserted by token.
CREATE TABLE devices (
    id                  uuid PRIMARY KEY,
    user_id             uuid,
    platform            varchar(10) NOT NULL CHECK (platform IN ('android', 'ios', 'web')),
    registration_token  varchar(500) NOT NULL UNIQUE,
    last_seen           timestamptz NOT NULL DEFAULT now(),
    is_active           boolean NOT NULL DEFAULT true,
    metadata            jsonb NOT NULL DEFAULT '{}',
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX devices_user ON devices (user_id, is_active);
CREATE INDEX devices_last_seen ON devices (last_seen DESC);

-- Push delivery log and queue (DOMAIN §5.4): one row per notification and device, drained by the push
-- worker; `next_attempt_at` holds a retry back.
CREATE TABLE outgoing_pushes (
    id                 uuid PRIMARY KEY,
    notification_id    uuid REFERENCES notifications (id) ON DELETE SET NULL,
    device_id          uuid NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    payload            jsonb NOT NULL DEFAULT '{}',
    provider_response  jsonb NOT NULL DEFAULT '{}',
    status             varchar(10) NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed', 'delayed')),
    attempts           integer NOT NULL DEFAULT 0,
    last_attempt_at    timestamptz,
    next_attempt_at    timestamptz NOT NULL DEFAULT now(),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outgoing_pushes_due ON outgoing_pushes (next_attempt_at) WHERE status = 'queued';
CREATE INDEX outgoing_pushes_status ON outgoing_pushes (status, created_at);
CREATE INDEX outgoing_pushes_device ON outgoing_pushes (device_id, status);

-- Who may read a booking's timeline: its customer and its assigned worker, from the booking events.
CREATE TABLE booking_refs (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL,
    worker_user_id  uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Activity history (DOMAIN §5.2), newest first.
CREATE TABLE timeline_events (
    id               uuid PRIMARY KEY,
    booking_id       uuid,
    job_id           uuid,
    related_user_id  uuid,
    event_type       varchar(32) NOT NULL
                     CHECK (event_type IN ('booking_requested', 'booking_confirmed', 'booking_on_the_way',
                                           'booking_arrived', 'booking_completed', 'booking_cancelled',
                                           'job_applied', 'job_accepted', 'worker_assigned',
                                           'attendance_marked', 'payment_captured', 'payment_failed', 'custom')),
    actor_display    varchar(255) NOT NULL,
    payload          jsonb NOT NULL DEFAULT '{}',
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX timeline_booking ON timeline_events (booking_id, created_at DESC) WHERE booking_id IS NOT NULL;
CREATE INDEX timeline_job ON timeline_events (job_id, created_at DESC) WHERE job_id IS NOT NULL;
CREATE INDEX timeline_type ON timeline_events (event_type, created_at DESC);
