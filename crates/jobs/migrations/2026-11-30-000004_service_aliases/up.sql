-- Services are named by their slug, an alias (`plumbing` for `plumber`), name or English title
-- (ARCHITECTURE §12.2): the projection keeps the aliases catalog announces.
ALTER TABLE service_refs ADD COLUMN aliases text[] NOT NULL DEFAULT '{}';
CREATE INDEX service_refs_aliases ON service_refs USING gin (aliases);
