DROP INDEX kiosks_contractor;
ALTER TABLE worker_profiles DROP COLUMN rating_count;
DROP TABLE job_refs;
