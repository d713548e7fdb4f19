-- A skill a worker named that no service matched (DOMAIN §2.1: a missing service is created). The profile
-- shows the name at once; catalog is asked by `workforce.skill.requested` and answers with
-- `catalog.skill.resolved`, which links the profile to the service. Rows stay (resolved or dropped by a
-- later edit of the skills) so the daily cap on new skills per user counts every request.
CREATE TABLE skill_requests (
    id          uuid PRIMARY KEY,
    worker_id   uuid NOT NULL REFERENCES worker_profiles (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL,
    name        varchar(100) NOT NULL,
    name_key    varchar(100) NOT NULL,
    position    smallint NOT NULL DEFAULT 0,
    service_id  uuid,
    resolved_at timestamptz,
    dropped_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
-- One open request per worker and name.
CREATE UNIQUE INDEX skill_requests_one_open ON skill_requests (worker_id, name_key)
    WHERE service_id IS NULL AND dropped_at IS NULL;
CREATE INDEX skill_requests_user_day ON skill_requests (user_id, created_at);
