//! The admin-managed list of incident categories. Retired categories stay on old cases but are
//! no longer offered for new ones.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Category {
    pub id: Uuid,
    pub name: String,
    pub retired_at: Option<DateTime<Utc>>,
    pub cases: i64,
}

pub async fn list(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Category>> {
    sqlx::query_as!(
        Category,
        r#"select k.id, k.name, k.retired_at,
                  (select count(*) from cases c where c.category_id = k.id) as "cases!"
           from categories k order by k.retired_at nulls first, k.position, lower(k.name)"#
    )
    .fetch_all(db)
    .await
}

#[derive(Debug, thiserror::Error)]
pub enum CategoryError {
    #[error("a category with that name already exists")]
    Duplicate,
    #[error("no such category")]
    NotFound,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

fn map(e: sqlx::Error) -> CategoryError {
    if super::is_unique_violation(&e, "categories_name_key") {
        CategoryError::Duplicate
    } else {
        e.into()
    }
}

pub async fn add(db: impl PgExecutor<'_>, name: &str) -> Result<(), CategoryError> {
    sqlx::query!(
        "insert into categories (name, position)
         values ($1, (select coalesce(max(position), 0) + 1 from categories))",
        name
    )
    .execute(db)
    .await
    .map_err(map)?;
    Ok(())
}

pub async fn rename(db: impl PgExecutor<'_>, id: Uuid, name: &str) -> Result<(), CategoryError> {
    let done = sqlx::query!("update categories set name = $2 where id = $1", id, name)
        .execute(db)
        .await
        .map_err(map)?;
    if done.rows_affected() == 0 {
        Err(CategoryError::NotFound)
    } else {
        Ok(())
    }
}

/// Retires a category (or brings it back when `retired` is false).
pub async fn set_retired(
    db: impl PgExecutor<'_>,
    id: Uuid,
    retired: bool,
) -> Result<(), CategoryError> {
    let done = sqlx::query!(
        "update categories set retired_at = case when $2 then coalesce(retired_at, now()) else null end where id = $1",
        id,
        retired
    )
    .execute(db)
    .await?;
    if done.rows_affected() == 0 {
        Err(CategoryError::NotFound)
    } else {
        Ok(())
    }
}
