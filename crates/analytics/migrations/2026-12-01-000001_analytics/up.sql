-- Analytics (DOMAIN §6, API §12): the platform's fastest-growing table. Events are partitioned by day
-- (range on created_at, one partition per day of the platform's time zone, made ahead of time by the
-- service: store::partitions), so a day's report reads one partition and retention drops whole days.
CREATE TABLE analytics_events (
    id uuid NOT NULL,
    created_at timestamptz NOT NULL,
    -- The event's user when the request carried a valid token (no foreign key: identity owns users).
    user_id uuid,
    anonymous_id varchar(255),
    event_type varchar(50) NOT NULL,
    source varchar(20) NOT NULL DEFAULT 'web'
        CONSTRAINT analytics_events_source_check CHECK (source IN ('web', 'android', 'ios', 'kiosk', 'admin')),
    payload jsonb NOT NULL DEFAULT '{}',
    ip_address inet,
    user_agent varchar(500),
    -- A partitioned table's key includes its partition key; (created_at, id) is also the export's order.
    PRIMARY KEY (created_at, id)
) PARTITION BY RANGE (created_at);

-- Per type within a day (summary, top services); per user within a day (active users, a user's events).
CREATE INDEX analytics_events_type_created ON analytics_events (event_type, created_at);
CREATE INDEX analytics_events_user_created ON analytics_events (user_id, created_at) WHERE user_id IS NOT NULL;
CREATE INDEX analytics_events_anonymous ON analytics_events (anonymous_id) WHERE anonymous_id IS NOT NULL;

-- DOMAIN §6.2: counts per (day, type, source), made by `aggregate-daily` (idempotent upsert).
CREATE TABLE analytics_daily_aggregates (
    id uuid PRIMARY KEY,
    date date NOT NULL,
    event_type varchar(50) NOT NULL,
    source varchar(20) NOT NULL DEFAULT '',
    count bigint NOT NULL CHECK (count >= 0),
    unique_users bigint NOT NULL CHECK (unique_users >= 0),
    unique_anonymous bigint NOT NULL CHECK (unique_anonymous >= 0),
    meta jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT analytics_daily_aggregates_key UNIQUE (date, event_type, source)
);
