DROP TABLE dispatch_workers;
DROP TABLE site_refs;
