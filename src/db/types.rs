//! Mend's closed sets of values as they cross the database edge: each is stored as its
//! `as_str()` name in a `text` column (checked by the column's constraint) and read back as the
//! domain type, so no row struct carries a stage or a role as a string and nothing re-parses
//! one. A stored value the domain does not know is a decoding error, never a silent default.
//!
//! Written by hand rather than derived: `#[derive(sqlx::Type)]` on an enum maps it to a
//! PostgreSQL enum type, and Mend's columns are `text` with check constraints.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgHasArrayType, PgTypeInfo, PgValueRef};
use sqlx::{Decode, Encode, Postgres, Type};

use crate::domain::Role;
use crate::domain::cadence::CheckInStatus;
use crate::domain::case::{Channel, DetectedBy, OurShare, RelationshipValue, Severity};
use crate::domain::commitment::{CommitmentState, Mark, Reach};
use crate::domain::lesson::LessonReach;
use crate::domain::stage::{Decision, LetGoRequest, Outcome, Stage};

/// A closed set stored by name.
pub trait Named: Sized {
    fn from_name(raw: &str) -> Result<Self, String>;
}

/// `#[serde(deserialize_with = "types::named")]`: a stored name in JSON (the case page reads
/// its lists as JSON).
pub fn named<'de, D: serde::Deserializer<'de>, T: Named>(d: D) -> Result<T, D::Error> {
    let raw = <String as serde::Deserialize>::deserialize(d)?;
    T::from_name(&raw).map_err(serde::de::Error::custom)
}

/// `#[serde(deserialize_with = "types::option_named", default)]`
pub fn option_named<'de, D: serde::Deserializer<'de>, T: Named>(
    d: D,
) -> Result<Option<T>, D::Error> {
    match <Option<String> as serde::Deserialize>::deserialize(d)? {
        None => Ok(None),
        Some(raw) => T::from_name(&raw)
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}

macro_rules! text_enum {
    ($($ty:ty,)+) => {$(
        impl Named for $ty {
            fn from_name(raw: &str) -> Result<Self, String> {
                <$ty>::parse(raw)
            }
        }

        impl Type<Postgres> for $ty {
            fn type_info() -> PgTypeInfo {
                <&str as Type<Postgres>>::type_info()
            }
            fn compatible(ty: &PgTypeInfo) -> bool {
                <&str as Type<Postgres>>::compatible(ty)
            }
        }

        impl PgHasArrayType for $ty {
            fn array_type_info() -> PgTypeInfo {
                <&str as PgHasArrayType>::array_type_info()
            }
        }

        impl Encode<'_, Postgres> for $ty {
            fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
                <&str as Encode<Postgres>>::encode(self.as_str(), buf)
            }
        }

        impl<'r> Decode<'r, Postgres> for $ty {
            fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
                let raw = <&str as Decode<Postgres>>::decode(value)?;
                <$ty>::parse(raw).map_err(|e| e.into())
            }
        }
    )+};
}

text_enum! {
    Stage,
    Outcome,
    Decision,
    LetGoRequest,
    Severity,
    DetectedBy,
    Channel,
    OurShare,
    RelationshipValue,
    Role,
    Reach,
    LessonReach,
    CommitmentState,
    CheckInStatus,
}

impl Type<Postgres> for Mark {
    fn type_info() -> PgTypeInfo {
        <&str as Type<Postgres>>::type_info()
    }
    fn compatible(ty: &PgTypeInfo) -> bool {
        <&str as Type<Postgres>>::compatible(ty)
    }
}

impl Encode<'_, Postgres> for Mark {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <&str as Encode<Postgres>>::encode(self.as_str(), buf)
    }
}

impl<'r> Decode<'r, Postgres> for Mark {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        let raw = <&str as Decode<Postgres>>::decode(value)?;
        match Mark::parse(raw)? {
            Some(mark) => Ok(mark),
            None => Err("an empty commitment mark".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_reads_back_as_itself() {
        for s in Stage::ALL {
            assert_eq!(Stage::parse(s.as_str()), Ok(s));
        }
        for s in CommitmentState::ALL {
            assert_eq!(CommitmentState::parse(s.as_str()), Ok(s));
        }
        for s in CheckInStatus::ALL {
            assert_eq!(CheckInStatus::parse(s.as_str()), Ok(s));
        }
        assert!(Stage::parse("nowhere").is_err());
    }
}
