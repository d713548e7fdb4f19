DROP TABLE skill_requests;
