-- The nearby search answered from one btree alone (index-only scans). Counting every match inside the
-- radius (P-STD's `count`) through the GiST on the earth cube cost a heap visit per match, since cube's
-- GiST cannot return its values (no fetch function) - 12 ms at a million workers. Here each search row
-- keeps its position as plain degrees and a latitude band (0.02 degrees, about 2.2 km), and the index
-- (service, band, longitude) INCLUDE (latitude, worker) finds the radius's bounding box as one short
-- range per band; the exact Haversine check (R = 6371 km) runs on the index entries themselves.
-- `store::search` holds the other half of this contract (BANDS_PER_DEGREE).
DROP TABLE worker_search;
CREATE TABLE worker_search (
    worker_id            uuid NOT NULL REFERENCES worker_profiles (id) ON DELETE CASCADE,
    service_id           uuid,
    is_available         boolean NOT NULL,
    availability_status  varchar(20) NOT NULL,
    lat                  double precision NOT NULL,
    lng                  double precision NOT NULL,
    band                 smallint GENERATED ALWAYS AS (floor(lat * 50)) STORED
);
CREATE UNIQUE INDEX worker_search_row ON worker_search (worker_id, service_id) NULLS NOT DISTINCT;
-- One partial index per availability notion of DOMAIN §3.1.
CREATE INDEX worker_search_online ON worker_search (service_id, band, lng) INCLUDE (lat, worker_id)
    WHERE is_available;
CREATE INDEX worker_search_status ON worker_search (service_id, band, lng) INCLUDE (lat, worker_id)
    WHERE availability_status = 'available';
-- Index-only scans skip the heap only on pages the visibility map marks all-visible: vacuum this
-- high-churn table (every online toggle rewrites a worker's rows) long before the default 20 %.
ALTER TABLE worker_search SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_insert_scale_factor = 0.01);

CREATE OR REPLACE FUNCTION workforce_refresh_search(worker uuid) RETURNS void LANGUAGE sql AS $$
    DELETE FROM worker_search WHERE worker_id = worker;
    INSERT INTO worker_search (worker_id, service_id, is_available, availability_status, lat, lng)
    SELECT p.id, s.service_id, p.is_available, p.availability_status, p.latitude, p.longitude
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
    INSERT INTO worker_search (worker_id, service_id, is_available, availability_status, lat, lng)
    SELECT p.id, NEW.service_id, p.is_available, p.availability_status, p.latitude, p.longitude
    FROM worker_profiles p
    WHERE p.id = NEW.worker_id AND p.latitude IS NOT NULL
    ON CONFLICT (worker_id, service_id) DO NOTHING;
    RETURN NULL;
END $$;

SELECT workforce_refresh_search(id) FROM worker_profiles WHERE latitude IS NOT NULL;
