DROP TABLE service_refs;
