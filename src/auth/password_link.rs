//! Tokens of one-time "set your password" links: 32 random bytes, shown once as hex in the link;
//! only their SHA-256 is stored, so a copy of the database cannot be turned into working links.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// How long a link works.
pub const LIFETIME: chrono::Duration = chrono::Duration::hours(72);

/// A new token: (the secret for the link, its hash for the database).
pub fn new_token() -> (String, [u8; 32]) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = hash(&token);
    (token, hash)
}

/// The stored form of a token.
pub fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The path of the page that uses a link.
pub fn path(token: &str) -> String {
    format!("/password/{token}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_their_hash_is_what_is_stored() {
        let (a, a_hash) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(hash(&a), a_hash);
        assert_ne!(hash(&b), a_hash);
    }
}
