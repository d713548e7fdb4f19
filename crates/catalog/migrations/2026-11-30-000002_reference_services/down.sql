DROP INDEX services_title_en_lower;
DROP INDEX services_aliases;
ALTER TABLE services DROP COLUMN requested_by;
ALTER TABLE services DROP COLUMN auto_created;
ALTER TABLE services DROP COLUMN aliases;

