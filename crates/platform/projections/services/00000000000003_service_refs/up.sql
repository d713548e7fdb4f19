-- catalog's services as a service names them, kept by catalog.service.* (ARCHITECTURE §3, §12.2,
-- hm_platform::projections): a skill or a `service` field matches a slug, an alias (`plumbing` for
-- `plumber`), a name or an English title, case-insensitively, by index. IF NOT EXISTS: databases made
-- before the platform owned it already have it.
CREATE TABLE IF NOT EXISTS service_refs (
    id             uuid PRIMARY KEY,
    slug           varchar(120) NOT NULL,
    name           varchar(100) NOT NULL,
    title_en       varchar(100) NOT NULL DEFAULT '',
    is_active      boolean NOT NULL DEFAULT true,
    display_order  integer NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    aliases        text[] NOT NULL DEFAULT '{}'
);
-- A database whose service_refs predates the aliases gets them.
ALTER TABLE service_refs ADD COLUMN IF NOT EXISTS aliases text[] NOT NULL DEFAULT '{}';
CREATE INDEX IF NOT EXISTS service_refs_name_lower ON service_refs (lower(name));
CREATE INDEX IF NOT EXISTS service_refs_title_en_lower ON service_refs (lower(title_en));
CREATE INDEX IF NOT EXISTS service_refs_aliases ON service_refs USING gin (aliases);
