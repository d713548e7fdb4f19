DROP TABLE bookings;
ALTER TABLE worker_refs DROP COLUMN profile;
