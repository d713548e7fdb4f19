DROP TABLE worker_search;
CREATE TABLE worker_search (
    worker_id            uuid NOT NULL REFERENCES worker_profiles (id) ON DELETE CASCADE,
    service_id           uuid,
    is_available         boolean NOT NULL,
    availability_status  varchar(20) NOT NULL,
    position             earth NOT NULL
);
CREATE UNIQUE INDEX worker_search_row ON worker_search (worker_id, service_id) NULLS NOT DISTINCT;
CREATE INDEX worker_search_available ON worker_search USING gist (service_id, position) WHERE is_available;
CREATE INDEX worker_search_status_available ON worker_search USING gist (service_id, position)
    WHERE availability_status = 'available';

CREATE OR REPLACE FUNCTION workforce_refresh_search(worker uuid) RETURNS void LANGUAGE sql AS $$
    DELETE FROM worker_search WHERE worker_id = worker;
    INSERT INTO worker_search (worker_id, service_id, is_available, availability_status, position)
    SELECT p.id, s.service_id, p.is_available, p.availability_status,
           ll_to_earth(p.latitude::float8, p.longitude::float8)
    FROM worker_profiles p
    CROSS JOIN LATERAL (
        SELECT NULL::uuid AS service_id
        UNION ALL
        SELECT ws.service_id FROM worker_services ws WHERE ws.worker_id = p.id
    ) s
    WHERE p.id = worker AND p.latitude IS NOT NULL;
$$;

CREATE OR REPLACE FUNCTION workforce_skill_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM worker_search WHERE worker_id = OLD.worker_id AND service_id = OLD.service_id;
        RETURN NULL;
    END IF;
    INSERT INTO worker_search (worker_id, service_id, is_available, availability_status, position)
    SELECT p.id, NEW.service_id, p.is_available, p.availability_status,
           ll_to_earth(p.latitude::float8, p.longitude::float8)
    FROM worker_profiles p
    WHERE p.id = NEW.worker_id AND p.latitude IS NOT NULL
    ON CONFLICT (worker_id, service_id) DO NOTHING;
    RETURN NULL;
END $$;

SELECT workforce_refresh_search(id) FROM worker_profiles WHERE latitude IS NOT NULL;
