-- Lessons that spread. A lesson that applies to all clients may carry a short checklist and a
-- reach (the clients of its case's team, or of the whole organisation). Mend then tracks, per
-- account in reach (other than the lesson's own), whether the checklist was done there; until
-- it is, the account's manager has it on My work. A new case on an account where the checklist
-- was done, with the lesson's case's category, says the fix did not hold.
alter table lessons
    add column checklist text[] not null default '{}'
        check (cardinality(checklist) <= 10),
    add column reach text not null default 'team' check (reach in ('team', 'organisation'));

create table lesson_rollouts (
    lesson_id uuid not null references lessons (id),
    account_id uuid not null references accounts (id),
    done_by uuid references users (id),
    done_at timestamptz not null default now(),
    primary key (lesson_id, account_id)
);
create index lesson_rollouts_account_idx on lesson_rollouts (account_id, done_at);

-- My work: the lessons with a checklist (each manager's accounts have accounts_manager_idx).
create index lessons_checklist_idx on lessons (created_at) where applies_to_all and removed_at is null
    and cardinality(checklist) > 0;
-- "The fix did not hold": later cases of an account in a category.
create index cases_account_category_idx on cases (account_id, category_id, created_at);
