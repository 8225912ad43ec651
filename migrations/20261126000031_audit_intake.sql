-- Intake sources' changes are audited too.
alter table admin_audit drop constraint admin_audit_target_kind_check;
alter table admin_audit add constraint admin_audit_target_kind_check
    check (target_kind in ('user', 'team', 'category', 'settings', 'intake_source'));
