-- Logging an incident looks for a case of the same account restored in the last 90 days (a
-- repeat incident escalates at once): the account's restored cases, latest first, without
-- reading the rest of its history.
create index cases_account_restored_idx on cases (account_id, closed_at desc)
    where outcome = 'restored';
