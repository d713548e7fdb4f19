-- jobs' jobs as workforce sees them, fed by jobs.job.posted / jobs.job.status_changed: the contractor
-- dashboard counts a contractor's pending jobs (API §5.10). `as_of` is the event's time, so a late copy
-- of an older state never overwrites a newer one.
CREATE TABLE job_refs (
    id             uuid PRIMARY KEY,
    poster_id      uuid NOT NULL,
    contractor_id  uuid,
    status         varchar(20) NOT NULL
                   CHECK (status IN ('open', 'assigned', 'in_progress', 'completed', 'cancelled')),
    as_of          timestamptz NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX job_refs_contractor ON job_refs (contractor_id, status);

-- Ratings given with completed bookings (jobs.booking.completed) are averaged into `rating`.
ALTER TABLE worker_profiles ADD COLUMN rating_count integer NOT NULL DEFAULT 0 CHECK (rating_count >= 0);


-- The contractor dashboard counts a contractor's active kiosks.
CREATE INDEX kiosks_contractor ON kiosks (contractor_id) WHERE is_active;
