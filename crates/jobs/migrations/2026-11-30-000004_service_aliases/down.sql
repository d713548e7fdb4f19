DROP INDEX service_refs_aliases;
ALTER TABLE service_refs DROP COLUMN aliases;
