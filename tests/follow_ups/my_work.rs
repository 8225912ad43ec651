//! (tests land with the follow-ups work)
