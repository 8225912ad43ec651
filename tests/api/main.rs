//! The JSON API through its front door: a real server, a real PostgreSQL database per test,
//! tokens made through the settings page or stored as the page stores them.

#[path = "../common/mod.rs"]
mod common;

mod intake;
mod tokens_and_cases;

use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use common::{PASSWORD, TestApp};

/// A bare HTTP client for the API (no cookies unless a test adds one).
pub struct Api {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

/// An API answer.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub content_type: String,
    pub headers: reqwest::header::HeaderMap,
    pub json: Value,
}

impl Api {
    pub fn new(app: &TestApp, token: Option<&str>) -> Api {
        Api {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("http client"),
            base: format!("http://{}", app.addr),
            token: token.map(str::to_string),
        }
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Answer {
        let req = match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        };
        let res = req.send().await.expect("request");
        let status = res.status();
        let headers = res.headers().clone();
        let content_type = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let body = res.text().await.expect("body");
        let json = serde_json::from_str(&body).unwrap_or(Value::String(body));
        Answer {
            status,
            content_type,
            headers,
            json,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Answer {
        self.send(self.http.post(format!("{}{path}", self.base)).json(body))
            .await
    }

    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> Answer {
        self.send(
            self.http
                .post(format!("{}{path}", self.base))
                .header("content-type", content_type)
                .body(body),
        )
        .await
    }

    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, format!("{}{path}", self.base))
    }
}

/// Asserts a problem document with `status`, and returns it.
pub fn problem(answer: &Answer, status: StatusCode) -> &Value {
    assert_eq!(answer.status, status, "{answer:#?}");
    assert_eq!(
        answer.content_type, "application/problem+json",
        "{answer:#?}"
    );
    assert_eq!(answer.json["status"], json!(status.as_u16()), "{answer:#?}");
    assert!(answer.json["title"].is_string() && answer.json["detail"].is_string());
    &answer.json
}

/// The fields a 422 problem names.
pub fn fields(answer: &Answer) -> Vec<String> {
    problem(answer, StatusCode::UNPROCESSABLE_ENTITY)["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

pub async fn user_id(app: &TestApp, email: &str) -> Uuid {
    sqlx::query_scalar("select id from users where email = $1")
        .bind(email)
        .fetch_one(&app.db.pool)
        .await
        .expect("user")
}

/// A user of `role` in `team` and a token of theirs (stored as the settings page stores it).
pub async fn user_with_token(app: &TestApp, email: &str, role: &str, team: &str) -> String {
    app.create_user(email, role, Some(team)).await;
    let id = user_id(app, email).await;
    mend::db::api_tokens::create(&app.db.pool, id, "test", None)
        .await
        .expect("token")
}

pub async fn team_id(app: &TestApp, name: &str) -> Uuid {
    sqlx::query_scalar("select id from teams where name = $1")
        .bind(name)
        .fetch_one(&app.db.pool)
        .await
        .expect("team")
}

pub async fn category_id(app: &TestApp) -> Uuid {
    sqlx::query_scalar(
        "select id from categories where retired_at is null order by position limit 1",
    )
    .fetch_one(&app.db.pool)
    .await
    .expect("category")
}

/// Signs a browser-like client in (for pages that show what the API did).
pub async fn browser(app: &TestApp, email: &str) -> common::Client {
    let client = app.client();
    let res = client.sign_in(email, PASSWORD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    client
}
