//! The one request builder: a request to an endpoint with its own method, its path parameters
//! filled from its own path template, a query string, a body and a key.

use std::collections::HashMap;

use api::Endpoint;
use domain::ApiKey;
use lambda_http::http::header::AUTHORIZATION;
use lambda_http::{Body, Request, RequestExt};
use serde_json::Value;

/// A request to `endpoint` being built; [`Call::request`] makes it.
#[must_use]
pub struct Call {
    endpoint: Endpoint,
    path: Vec<(String, String)>,
    query: Vec<(String, String)>,
    body: Body,
    key: Option<ApiKey>,
}

/// A request to `endpoint`, without a key, a body or parameters yet.
pub fn call(endpoint: Endpoint) -> Call {
    Call {
        endpoint,
        path: Vec::new(),
        query: Vec::new(),
        body: Body::Empty,
        key: None,
    }
}

impl Call {
    pub fn endpoint(&self) -> Endpoint {
        self.endpoint
    }

    /// The values of the path's parameters, in the order the endpoint's path template names
    /// them: the template with as many parameters is the one used.
    pub fn at(mut self, values: &[&str]) -> Self {
        let names = parameters(self.endpoint, |names| names.len() == values.len());
        self.path = names
            .into_iter()
            .zip(values.iter().map(|v| v.to_string()))
            .collect();
        self
    }

    /// The path's parameters by name: they must be those of one of the endpoint's templates.
    pub fn named(mut self, pairs: &[(&str, &str)]) -> Self {
        let mut wanted: Vec<&str> = pairs.iter().map(|(name, _)| *name).collect();
        wanted.sort_unstable();
        parameters(self.endpoint, |names| {
            let mut names: Vec<&str> = names.iter().map(String::as_str).collect();
            names.sort_unstable();
            names == wanted
        });
        self.path = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self
    }

    pub fn query(mut self, pairs: &[(&str, &str)]) -> Self {
        self.query
            .extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        self
    }

    pub fn body(mut self, body: impl Into<Body>) -> Self {
        self.body = body.into();
        self
    }

    pub fn json(self, body: &Value) -> Self {
        self.body(body.to_string())
    }

    pub fn key(mut self, key: &ApiKey) -> Self {
        self.key = Some(key.clone());
        self
    }

    pub fn without_key(mut self) -> Self {
        self.key = None;
        self
    }

    /// The request, its path parameters named as the endpoint's template names them.
    pub fn request(self) -> Request {
        let path: HashMap<String, String> = self.path.into_iter().collect();
        let request = lambda_http::http::Request::builder()
            .method(self.endpoint.method())
            .body(self.body)
            .unwrap()
            .with_path_parameters(path)
            .with_query_string_parameters(
                self.query.into_iter().collect::<HashMap<String, String>>(),
            );
        match &self.key {
            Some(key) => authorized(request, key),
            None => request,
        }
    }
}

/// The parameter names of the first of the endpoint's path templates whose names `fit`.
fn parameters(endpoint: Endpoint, fit: impl Fn(&[String]) -> bool) -> Vec<String> {
    endpoint
        .paths()
        .iter()
        .map(|path| {
            path.split('/')
                .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .find(|names| fit(names))
        .unwrap_or_else(|| panic!("{endpoint:?} has no path with these parameters"))
}

/// `request` with `key` as a Bearer token.
pub fn authorized(mut request: Request, key: &ApiKey) -> Request {
    let header = format!("Bearer {}", key.reveal()).parse().unwrap();
    request.headers_mut().insert(AUTHORIZATION, header);
    request
}

/// A `POST` of `body`, without a key, to any endpoint: the raw request for edge cases (bytes,
/// encodings, another method's endpoint).
pub fn post(body: impl Into<Body>) -> Request {
    lambda_http::http::Request::builder()
        .method("POST")
        .body(body.into())
        .unwrap()
}
