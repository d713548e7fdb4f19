DROP TABLE site_attendance;
