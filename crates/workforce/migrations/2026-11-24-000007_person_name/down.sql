DROP FUNCTION person_name(text, text, text);
