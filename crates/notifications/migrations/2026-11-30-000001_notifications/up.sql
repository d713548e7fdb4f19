-- In-app notifications (DOMAIN §5.1): what a person is told, created from the other services' events.
CREATE TABLE notifications (
    id          uuid PRIMARY KEY,
    user_id     uuid,
    title       varchar(255) NOT NULL,
    message     text NOT NULL,
    data        jsonb NOT NULL DEFAULT '{}',
    type        varchar(32) NOT NULL DEFAULT 'system'
                CHECK (type IN ('booking_status', 'job_application', 'assignment', 'attendance', 'system', 'promo',
                                'application_accepted', 'application_declined', 'job_assigned',
                                'emergency_dispatch', 'emergency_update', 'payment')),
    is_read     boolean NOT NULL DEFAULT false,
    channel     varchar(16) NOT NULL DEFAULT 'in_app' CHECK (channel IN ('push', 'in_app', 'email', 'both')),
    metadata    jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_user ON notifications (user_id, is_read, created_at DESC);
CREATE INDEX notifications_type ON notifications (type, created_at DESC);
