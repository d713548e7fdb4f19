DROP TABLE skill_requests;
DROP INDEX service_refs_title_en_lower;
DROP INDEX service_refs_aliases;
ALTER TABLE service_refs DROP COLUMN aliases;
