-- Services as the reference seeds them (CONFIG §4.1, ARCHITECTURE §12.2): other slugs that name a service
-- (`plumbing` for `plumber`), and services created from a worker's skill (DOMAIN §2.1) marked as such, with
-- who asked, for staff to review.
ALTER TABLE services ADD COLUMN aliases text[] NOT NULL DEFAULT '{}';
ALTER TABLE services ADD COLUMN auto_created boolean NOT NULL DEFAULT false;
ALTER TABLE services ADD COLUMN requested_by uuid;
CREATE INDEX services_aliases ON services USING gin (aliases);
CREATE INDEX services_title_en_lower ON services (lower(title_en));
