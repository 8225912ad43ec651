-- Foundation: teams, users, sessions, sign-in attempts.

create table teams (
    id uuid primary key default gen_random_uuid(),
    name text not null check (length(btrim(name)) between 1 and 100),
    created_at timestamptz not null default now()
);
create unique index teams_name_key on teams (lower(name));

create table users (
    id uuid primary key default gen_random_uuid(),
    email text not null check (position('@' in email) > 1),
    name text not null check (length(btrim(name)) between 1 and 200),
    role text not null check (role in ('account_manager', 'manager', 'admin')),
    team_id uuid references teams (id),
    password_hash text not null,
    time_zone text not null default 'UTC',
    active boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create unique index users_email_key on users (lower(email));
create index users_team_id_idx on users (team_id);

-- Sessions (see src/db/sessions.rs), shared by every instance.
create table sessions (
    id text primary key,
    data jsonb not null,
    expiry_date timestamptz not null
);
create index sessions_expiry_date_idx on sessions (expiry_date);

-- Failed sign-ins, counted per e-mail address and per client address to slow down guessing.
-- Shared by all instances because it lives in the database.
create table sign_in_failures (
    id bigint generated always as identity primary key,
    email text not null,
    client_ip inet,
    failed_at timestamptz not null default now()
);
create index sign_in_failures_email_idx on sign_in_failures (lower(email), failed_at);
create index sign_in_failures_ip_idx on sign_in_failures (client_ip, failed_at);
