-- Administration: the admin audit log, and one-time "set your password" links.

-- Who did what to whom, written in the same transaction as the change. Users are never
-- deleted, so the actor is always there to name.
create table admin_audit (
    id bigint generated always as identity primary key,
    actor_id uuid not null references users (id),
    action text not null,
    target_kind text not null check (target_kind in ('user', 'team', 'category', 'settings')),
    target_id uuid,
    -- The target's name when it happened (it may be renamed later).
    target_label text not null,
    details jsonb not null default '{}',
    at timestamptz not null default now()
);
create index admin_audit_at_idx on admin_audit (at desc, id desc);

-- One-time links to set a password. Only the SHA-256 of the token is kept: the link itself is
-- shown once to the admin who made it.
create table password_links (
    token_hash bytea primary key check (length(token_hash) = 32),
    user_id uuid not null references users (id),
    created_by uuid not null references users (id),
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    used_at timestamptz
);
create index password_links_user_idx on password_links (user_id);

-- Sessions are found by user when one is deactivated (see src/db/sessions.rs).
create index sessions_user_idx on sessions (((data -> 'axum-login.data') ->> 'user_id'));
