-- Two trust readings per check-in: beside the account manager's reading of the client's mood
-- (sentiment, −2..+2), the client's own words, quoted.
alter table check_ins
    add column client_words text not null default ''
        check (length(client_words) <= 500);
