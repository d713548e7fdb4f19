DROP TABLE timeline_events;
DROP TABLE booking_refs;
DROP TABLE outgoing_pushes;
DROP TABLE devices;
DROP TABLE sms_log;
