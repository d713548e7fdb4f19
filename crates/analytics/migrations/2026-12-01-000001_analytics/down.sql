DROP TABLE analytics_daily_aggregates;
DROP TABLE analytics_events;
