//! The routes of `make run`, read from the workspace's `Cargo.toml` (cargo lambda's router),
//! for the test that holds them to `api::Endpoint` and `template.yaml`.

use std::path::Path;

use crate::Error;

/// The routes of `make run`: the cargo lambda router of the workspace's `Cargo.toml`, as
/// (method, path, function).
pub fn router(
    manifest: impl AsRef<Path>,
) -> Result<std::collections::BTreeSet<(String, String, String)>, Error> {
    let path = manifest.as_ref();
    let text = std::fs::read_to_string(path).map_err(|e| Error::Read(path.to_owned(), e))?;
    let manifest: toml::Table =
        toml::from_str(&text).map_err(|e| Error::Template(format!("Cargo.toml: {e}")))?;
    let router = manifest
        .get("workspace")
        .and_then(|w| w.get("metadata"))
        .and_then(|m| m.get("lambda"))
        .and_then(|l| l.get("watch"))
        .and_then(|w| w.get("router"))
        .and_then(|r| r.as_table())
        .ok_or_else(|| Error::Template("no [workspace.metadata.lambda.watch.router]".into()))?;
    let mut routes = std::collections::BTreeSet::new();
    for (path, targets) in router {
        for target in targets.as_array().into_iter().flatten() {
            let field = |name: &str| target.get(name).and_then(|v| v.as_str()).map(str::to_owned);
            let (Some(method), Some(function)) = (field("method"), field("function")) else {
                return Err(Error::Template(format!(
                    "router entry of {path} lacks a field"
                )));
            };
            routes.insert((method.to_uppercase(), path.clone(), function));
        }
    }
    Ok(routes)
}
