-- One database per service (ARCHITECTURE §3); each service migrates its own at start-up.
CREATE DATABASE hm_identity;
CREATE DATABASE hm_catalog;
CREATE DATABASE hm_workforce;
CREATE DATABASE hm_jobs;
CREATE DATABASE hm_notifications;
CREATE DATABASE hm_analytics;
