-- (Platform migrations and projections share one numbering: 2–4 are the projections'.)
-- The relay is woken in-process by its own replica's writes (events/outbox.rs), not by NOTIFY: a
-- transaction that notifies takes a cluster-wide lock at commit and holds it until its commit record is
-- flushed, which serialised every outbox write (no group commit; issue #20).
DROP TRIGGER IF EXISTS outbox_notify ON outbox;
DROP FUNCTION IF EXISTS outbox_notify();
