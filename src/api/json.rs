//! The API's JSON body extractor: names the field that failed (serde_path_to_error), refuses
//! unknown fields (the request types say `deny_unknown_fields`), answers 413 for bodies over
//! `BODY_LIMIT` and 415 for bodies that are not JSON — all as problem documents.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use super::Problem;

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                let v = v.trim();
                v.eq_ignore_ascii_case("application/json") || v.ends_with("+json")
            });
        if !is_json {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "about:blank",
                "Send the body as JSON, with Content-Type: application/json.",
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(body_rejection)?;
        parse(&bytes).map(ApiJson)
    }
}

/// A body that could not be read: too large (413), or broken off (400).
pub fn body_rejection(e: axum::extract::rejection::BytesRejection) -> Problem {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "about:blank",
            format!(
                "The body is larger than Mend accepts ({} KiB).",
                super::BODY_LIMIT / 1024
            ),
        )
    } else {
        Problem::bad_request("The body could not be read.")
    }
}

/// Parses a JSON body, naming the field of the first error: first as JSON (a syntax error is a
/// 400), then as `T` (a wrong type, unknown or missing field is a 422 naming it).
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        Problem::bad_request(format!(
            "The body is not valid JSON: {}.",
            without_position(&e.to_string())
        ))
    })?;
    if let Some(field) = nul_in(&value, String::new()) {
        return Err(Problem::invalid_field(
            &field,
            "Text may not contain NUL characters (\\u0000).",
        ));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = without_position(&e.into_inner().to_string());
        let named = unknown_field(&message).or_else(|| missing_field(&message));
        let field = match named {
            Some(name) if path == "." || path.is_empty() => name.to_string(),
            Some(name) if message.starts_with("missing") => format!("{path}.{name}"),
            _ if path == "." || path.is_empty() => "body".to_string(),
            _ => path,
        };
        Problem::invalid_field(&field, message)
    })
}

/// The path of the first string (or key) holding a NUL character, if any: PostgreSQL stores
/// none in text.
fn nul_in(value: &serde_json::Value, path: String) -> Option<String> {
    use serde_json::Value;
    let here = || {
        if path.is_empty() {
            "body".to_string()
        } else {
            path.clone()
        }
    };
    match value {
        Value::String(s) if s.contains('\0') => Some(here()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| nul_in(v, format!("{}[{i}]", here()))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let child = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            if k.contains('\0') {
                Some(child)
            } else {
                nul_in(v, child)
            }
        }),
        _ => None,
    }
}

/// serde_json's message without " at line 1 column 5".
fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// The name in "missing field `x`", if that is the message.
fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next()
}

/// The name in "unknown field `x`, expected …", if that is the message.
fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split('`').next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        title: String,
        severity: u8,
        inner: Option<Inner>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        name: String,
    }

    fn field_of(body: &str) -> (u16, Vec<String>) {
        let p = parse::<Body>(body.as_bytes()).expect_err("refused");
        (p.status, p.errors.into_iter().map(|e| e.field).collect())
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(
            field_of(r#"{"title": "x", "severity": "high"}"#),
            (422, vec!["severity".to_string()])
        );
        assert_eq!(
            field_of(r#"{"title": "x", "severity": 1, "colour": "red"}"#),
            (422, vec!["colour".to_string()])
        );
        assert_eq!(
            field_of(r#"{"title": "x", "severity": 1, "inner": {"nam": "a"}}"#),
            (422, vec!["inner.nam".to_string()])
        );
        assert_eq!(
            field_of(r#"{"severity": 1}"#),
            (422, vec!["title".to_string()])
        );
        assert_eq!(
            field_of(r#"{"title": "x", "severity": 1, "inner": {}}"#),
            (422, vec!["inner.name".to_string()])
        );
        assert_eq!(
            field_of(r#"{"title": "a\u0000b", "severity": 1}"#),
            (422, vec!["title".to_string()])
        );
        assert_eq!(field_of(r#"{"title": "#).0, 400);
        assert_eq!(field_of("not json").0, 400);
    }
}
