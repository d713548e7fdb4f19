DROP TABLE user_refs;
