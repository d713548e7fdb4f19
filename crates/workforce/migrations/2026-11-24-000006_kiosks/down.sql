DROP TABLE attendance_logs;
DROP TABLE attendance;
DROP TABLE kiosks;
