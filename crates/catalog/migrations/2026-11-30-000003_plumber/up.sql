-- A database seeded before: its `plumbing` row becomes the reference's `plumber`, same id, `plumbing` kept
-- as an alias, and the change announced (through the outbox, as every write) so the projections follow.
WITH renamed AS (
    UPDATE services
    SET slug = 'plumber', name = 'Plumber', title_en = 'Plumber',
        aliases = array_append(aliases, 'plumbing'), updated_at = now()
    WHERE slug = 'plumbing'
      AND NOT EXISTS (SELECT 1 FROM services WHERE slug = 'plumber' OR lower(name) = 'plumber')
    RETURNING *
), announced AS (
    SELECT gen_random_uuid() AS event_id, now() AS at, r.* FROM renamed r
)
INSERT INTO outbox (id, event_type, envelope, created_at)
SELECT event_id, 'catalog.service.updated',
       jsonb_build_object(
           'id', event_id, 'type', 'catalog.service.updated', 'version', 1,
           'occurred_at', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
           'source', 'catalog', 'correlation_id', NULL,
           'data', jsonb_build_object(
               'service_id', id, 'slug', slug, 'name', name, 'title_en', title_en, 'title_hi', title_hi,
               'category', category, 'is_active', is_active, 'display_order', display_order,
               'aliases', to_jsonb(aliases))),
       at
FROM announced;
