DROP TABLE worker_search;
DROP TABLE worker_services;
DROP TABLE worker_profiles;
DROP FUNCTION workforce_skill_search();
DROP FUNCTION workforce_profile_search();
DROP FUNCTION workforce_refresh_search(uuid);
