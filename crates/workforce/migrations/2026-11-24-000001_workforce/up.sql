-- Workforce: worker profiles and the nearby search behind them (DOMAIN §3.1, §3.9; ARCHITECTURE §8).
-- Extensions need a role allowed to create them (the migration runs as the database owner).
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- Catalog's services (service_refs) are the platform's projection (hm_platform::projections).
CREATE TABLE worker_profiles (
    id                       uuid PRIMARY KEY,
    user_id                  uuid NOT NULL UNIQUE,
    is_available             boolean NOT NULL DEFAULT false,
    availability_updated_at  timestamptz,
    latitude                 numeric(9,6) CHECK (latitude BETWEEN -90 AND 90),
    longitude                numeric(9,6) CHECK (longitude BETWEEN -180 AND 180),
    availability_status      varchar(20) NOT NULL DEFAULT 'offline'
                             CHECK (availability_status IN ('available', 'busy', 'offline', 'unavailable')),
    rating                   numeric(3,2) NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5),
    total_jobs_completed     integer NOT NULL DEFAULT 0 CHECK (total_jobs_completed >= 0),
    price_amount             numeric(10,2) CHECK (price_amount >= 0),
    price_currency           varchar(3) NOT NULL DEFAULT 'INR',
    price_type               varchar(16) NOT NULL DEFAULT 'per_day'
                             CHECK (price_type IN ('per_hour', 'per_day', 'per_job')),
    min_charge               numeric(10,2) CHECK (min_charge >= 0),
    bio                      text NOT NULL DEFAULT '',
    experience_years         integer NOT NULL DEFAULT 0 CHECK (experience_years BETWEEN 0 AND 80),
    intro_audio_url          varchar(500),
    is_verified              boolean NOT NULL DEFAULT false,
    last_seen                timestamptz,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);
CREATE INDEX worker_profiles_available ON worker_profiles (is_available, latitude, longitude);
CREATE INDEX worker_profiles_created ON worker_profiles (created_at DESC);

CREATE TABLE worker_services (
    worker_id   uuid NOT NULL REFERENCES worker_profiles (id) ON DELETE CASCADE,
    service_id  uuid NOT NULL REFERENCES service_refs (id),
    position    smallint NOT NULL DEFAULT 0,
    PRIMARY KEY (worker_id, service_id)
);
CREATE INDEX worker_services_service ON worker_services (service_id);

-- The nearby search's own rows: one per located worker and service (service_id NULL: the worker whatever
-- the service), kept in step with profiles and skills by the triggers below, so a search is one GiST scan
-- on (service, position) that returns the nearest first (KNN) and stops at the page size, however
-- crowded the city.
CREATE TABLE worker_search (
    worker_id            uuid NOT NULL REFERENCES worker_profiles (id) ON DELETE CASCADE,
    service_id           uuid,
    is_available         boolean NOT NULL,
    availability_status  varchar(20) NOT NULL,
    position             earth NOT NULL
);
CREATE UNIQUE INDEX worker_search_row ON worker_search (worker_id, service_id) NULLS NOT DISTINCT;
-- The two availability notions of DOMAIN §3.1 each get a partial index, so neither search filters rows
-- the index already returned.
CREATE INDEX worker_search_available ON worker_search USING gist (service_id, position) WHERE is_available;
CREATE INDEX worker_search_status_available ON worker_search USING gist (service_id, position)
    WHERE availability_status = 'available';

CREATE FUNCTION workforce_refresh_search(worker uuid) RETURNS void LANGUAGE sql AS $$
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

CREATE FUNCTION workforce_profile_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT'
       OR NEW.latitude IS DISTINCT FROM OLD.latitude
       OR NEW.longitude IS DISTINCT FROM OLD.longitude
       OR NEW.is_available IS DISTINCT FROM OLD.is_available
       OR NEW.availability_status IS DISTINCT FROM OLD.availability_status THEN
        PERFORM workforce_refresh_search(NEW.id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER worker_profiles_search AFTER INSERT OR UPDATE ON worker_profiles
    FOR EACH ROW EXECUTE FUNCTION workforce_profile_search();

CREATE FUNCTION workforce_skill_search() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER worker_services_search AFTER INSERT OR DELETE ON worker_services
    FOR EACH ROW EXECUTE FUNCTION workforce_skill_search();
