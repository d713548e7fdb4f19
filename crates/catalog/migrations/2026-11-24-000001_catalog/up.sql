-- Catalog (DOMAIN §2, ARCHITECTURE §12.1: every id is a UUID).

CREATE TABLE services (
    id             uuid PRIMARY KEY,
    name           varchar(100) NOT NULL UNIQUE,
    slug           varchar(120) NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    title_en       varchar(100) NOT NULL,
    title_hi       varchar(100) NOT NULL DEFAULT '',
    category       varchar(50) NOT NULL DEFAULT '',
    description    text NOT NULL DEFAULT '',
    icon_s3_key    varchar(255) NOT NULL DEFAULT '',
    is_active      boolean NOT NULL DEFAULT true,
    display_order  integer NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX services_name_lower ON services (lower(name));
CREATE INDEX services_listing ON services (display_order, name) WHERE is_active;

CREATE TABLE themes (
    id                 uuid PRIMARY KEY,
    name               varchar(100) NOT NULL,
    primary_color      varchar(7) NOT NULL DEFAULT '#2563EB' CHECK (primary_color ~ '^#[0-9A-Fa-f]{6}$'),
    accent_color       varchar(7) NOT NULL DEFAULT '#F59E0B' CHECK (accent_color ~ '^#[0-9A-Fa-f]{6}$'),
    background_color   varchar(7) NOT NULL DEFAULT '#F9FAFB' CHECK (background_color ~ '^#[0-9A-Fa-f]{6}$'),
    logo_s3_key        varchar(500) NOT NULL DEFAULT '',
    hero_image_s3_key  varchar(500) NOT NULL DEFAULT '',
    fonts              jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(fonts) = 'array'),
    metadata           jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    active             boolean NOT NULL DEFAULT false,
    created_by         uuid,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
-- At most one active theme, whatever the writers do.
CREATE UNIQUE INDEX themes_one_active ON themes ((true)) WHERE active;

CREATE TABLE app_banners (
    id             uuid PRIMARY KEY,
    title          varchar(200) NOT NULL,
    subtitle       varchar(300) NOT NULL DEFAULT '',
    image_s3_key   varchar(500) NOT NULL,
    action         jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(action) = 'object'),
    display_order  integer NOT NULL DEFAULT 0,
    active         boolean NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX app_banners_listing ON app_banners (display_order, created_at DESC) WHERE active;

CREATE TABLE promo_banners (
    id          uuid PRIMARY KEY,
    title       varchar(255) NOT NULL,
    image_url   varchar(500) NOT NULL,
    link        varchar(500),
    slot        varchar(50) NOT NULL DEFAULT 'home_top'
                CHECK (slot IN ('home_top', 'home_mid', 'home_bottom', 'worker_top', 'job_top')),
    priority    integer NOT NULL DEFAULT 0,
    active      boolean NOT NULL DEFAULT true,
    starts_at   timestamptz,
    ends_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (starts_at IS NULL OR ends_at IS NULL OR starts_at <= ends_at)
);
CREATE INDEX promo_banners_listing ON promo_banners (slot, priority DESC, created_at DESC) WHERE active;

CREATE TABLE feature_flags (
    id           uuid PRIMARY KEY,
    key          varchar(64) NOT NULL UNIQUE,
    enabled      boolean NOT NULL DEFAULT false,
    description  text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE translations (
    id          uuid PRIMARY KEY,
    key         varchar(255) NOT NULL,
    lang        varchar(2) NOT NULL CHECK (lang IN ('en', 'hi')),
    value       text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (key, lang)
);
CREATE INDEX translations_lang ON translations (lang, key);

CREATE TABLE help_pages (
    id            uuid PRIMARY KEY,
    slug          varchar(100) NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    title         varchar(255) NOT NULL,
    content_html  text NOT NULL,
    lang          varchar(5) NOT NULL DEFAULT 'en' CHECK (lang IN ('en', 'hi')),
    is_active     boolean NOT NULL DEFAULT true,
    sort_order    integer NOT NULL DEFAULT 0 CHECK (sort_order >= 0),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE faqs (
    id          uuid PRIMARY KEY,
    question    varchar(255) NOT NULL,
    answer      text NOT NULL,
    lang        varchar(5) NOT NULL DEFAULT 'en' CHECK (lang IN ('en', 'hi')),
    sort_order  integer NOT NULL DEFAULT 0 CHECK (sort_order >= 0),
    is_active   boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (question, lang)
);

CREATE TABLE media_objects (
    id           uuid PRIMARY KEY,
    key          varchar(255) NOT NULL UNIQUE,
    url          varchar(500) NOT NULL,
    file_type    varchar(32) NOT NULL,
    file_size    bigint NOT NULL CHECK (file_size >= 0),
    uploaded_by  uuid,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX media_objects_newest ON media_objects (created_at DESC);
