DROP TABLE emergency_dispatch_logs;
DROP TABLE emergency_requests;
