DROP TABLE contractor_profiles;
