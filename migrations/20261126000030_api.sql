-- Integrations: personal API tokens, accounts' ids in other systems, and intake sources that
-- open incidents from a helpdesk or monitoring tool through a signed webhook.

-- A token is shown once; only its SHA-256 is kept (tokens are 32 random bytes, so a fast hash
-- is as good as a slow one and lets every request be checked by an index lookup).
create table api_tokens (
    id uuid primary key default gen_random_uuid(),
    user_id uuid not null references users (id),
    name text not null check (length(btrim(name)) between 1 and 100),
    token_hash bytea not null,
    -- The first characters, so the owner can tell tokens apart.
    prefix text not null,
    created_at timestamptz not null default now(),
    expires_at timestamptz,
    last_used_at timestamptz,
    revoked_at timestamptz,
    constraint api_tokens_hash_key unique (token_hash)
);
create index api_tokens_user_idx on api_tokens (user_id, created_at desc);

-- The account's id in another system (a CRM, a helpdesk), for integrations.
alter table accounts add column external_id text
    check (external_id is null or length(btrim(external_id)) between 1 and 200);
create unique index accounts_external_id_key on accounts (external_id) where external_id is not null;

create table intake_sources (
    id uuid primary key default gen_random_uuid(),
    -- The {source} of POST /api/v1/intake/{source}.
    name text not null check (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    -- The shared secret the sender signs with (HMAC-SHA256). It must be kept to check
    -- signatures, so it is stored as is and shown to admins only.
    secret text not null,
    -- Internal monitoring: what it reports was detected by us, not by the client.
    internal boolean not null default false,
    -- Who owns a new case when the account has no account manager.
    default_owner_id uuid references users (id),
    -- The category of new cases when the event names none.
    category_id uuid references categories (id),
    created_by uuid references users (id),
    created_at timestamptz not null default now(),
    disabled_at timestamptz,
    constraint intake_sources_name_key unique (name)
);

-- Each delivered event once: a retried delivery finds its case here.
create table intake_events (
    source_id uuid not null references intake_sources (id),
    event_id text not null check (length(event_id) between 1 and 200),
    case_id uuid not null references cases (id),
    received_at timestamptz not null default now(),
    primary key (source_id, event_id)
);
