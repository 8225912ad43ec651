-- The weekly dashboard counts what happened in a span of weeks: each of these turns a scan of a
-- whole table into a range scan (see src/db/dashboard.rs).
create index conversations_happened_idx on conversations (happened_at) where removed_at is null;
create index action_items_done_idx on action_items (done_at) where done_at is not null and removed_at is null;
create index cases_closed_idx on cases (closed_at) where closed_at is not null;
create index check_ins_completed_idx on check_ins (completed_at) where status = 'done';
create index check_ins_due_idx on check_ins (due_date);
