-- Jobs: job postings and applications (DOMAIN §4.1–4.2), bookings (§4.3), payments and payouts (§4.4–4.5),
-- and the projections of other services' data they refer to (ARCHITECTURE §3).

-- Workforce's worker and contractor profiles, fed by their events (users and services: the platform's
-- projections, hm_platform::projections).
-- A profile id and whose it is; deleted profiles are dropped.
CREATE TABLE worker_refs (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE contractor_refs (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- How a person is shown: full name, else phone (DOMAIN §1.1).
CREATE FUNCTION person_name(first_name text, last_name text, phone text) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce(nullif(trim(first_name || ' ' || last_name), ''), phone, '') $$;

CREATE TABLE jobs (
    id                     uuid PRIMARY KEY,
    poster_id              uuid NOT NULL,
    contractor_id          uuid,
    service_id             uuid NOT NULL REFERENCES service_refs (id),
    title                  varchar(200) NOT NULL,
    description            text NOT NULL,
    status                 varchar(20) NOT NULL DEFAULT 'open'
                           CHECK (status IN ('open', 'assigned', 'in_progress', 'completed', 'cancelled')),
    location               varchar(255) NOT NULL DEFAULT '',
    latitude               numeric(9,6) CHECK (latitude BETWEEN -90 AND 90),
    longitude              numeric(9,6) CHECK (longitude BETWEEN -180 AND 180),
    budget                 numeric(10,2) CHECK (budget >= 0),
    assigned_worker_id     uuid,
    scheduled_date         timestamptz,
    completion_date        timestamptz,
    instruction_audio_url  varchar(500),
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_created ON jobs (created_at DESC);
CREATE INDEX jobs_status ON jobs (status, created_at DESC);
CREATE INDEX jobs_service ON jobs (service_id, created_at DESC);

CREATE TABLE job_applications (
    id              uuid PRIMARY KEY,
    job_id          uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    worker_id       uuid NOT NULL,
    worker_user_id  uuid NOT NULL,
    status          varchar(20) NOT NULL DEFAULT 'applied' CHECK (status IN ('applied', 'accepted', 'declined')),
    applied_at      timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (job_id, worker_id)
);
