-- Reminders: per-user preferences, the private calendar feed, and the e-mail outbox.

alter table users
    add column remind_due boolean not null default true,
    add column remind_missed boolean not null default true,
    add column remind_digest boolean not null default true,
    -- The secret part of the user's private calendar URL; null when none is issued (revoked).
    add column calendar_secret text;
create unique index users_calendar_secret_key on users (calendar_secret) where calendar_secret is not null;

-- Every e-mail Mend sends is a row here first. `dedupe_key` makes queueing idempotent (a reminder
-- for a check-in, or a user's digest for a week, is queued once however many scheduler passes run);
-- `locked_until` claims a row for one sender at a time; a crash between sending and marking it sent
-- can repeat a message at most once, after the claim expires.
create table outbox (
    id uuid primary key default gen_random_uuid(),
    kind text not null check (kind in ('due', 'missed', 'digest')),
    dedupe_key text not null,
    user_id uuid not null references users (id),
    to_address text not null,
    subject text not null,
    body text not null,
    created_at timestamptz not null default now(),
    send_after timestamptz not null default now(),
    locked_until timestamptz,
    attempts integer not null default 0,
    last_error text,
    sent_at timestamptz,
    constraint outbox_dedupe_key unique (dedupe_key)
);
create index outbox_pending_idx on outbox (send_after) where sent_at is null;
create index outbox_created_idx on outbox (created_at desc);
