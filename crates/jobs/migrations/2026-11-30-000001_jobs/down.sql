DROP TABLE job_applications;
DROP TABLE jobs;
DROP FUNCTION person_name(text, text, text);
DROP TABLE contractor_refs;
DROP TABLE worker_refs;
