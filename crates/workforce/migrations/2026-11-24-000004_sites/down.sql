DROP TABLE site_assignments;
DROP TABLE sites;
