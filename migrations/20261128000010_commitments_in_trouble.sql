-- The review lists slipping commitments beside broken ones.
drop index commitments_broken_idx;
create index commitments_in_trouble_idx on commitments (state_at desc)
    where state in ('broken', 'slipping');
