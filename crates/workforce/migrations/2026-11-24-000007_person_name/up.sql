-- How a person is shown on profiles, assignments and attendance: full name, else phone (API §5.12).
CREATE FUNCTION person_name(first_name text, last_name text, phone text) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce(nullif(trim(first_name || ' ' || last_name), ''), phone, '') $$;
