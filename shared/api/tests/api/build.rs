//! make test builds each dependency once: the functions (which the end-to-end server runs) and
//! the tests share one feature set of every crate they both use. A test dependency that turns
//! on a feature the functions do not use would make make test compile the AWS SDK and all
//! below it a second time; `shared/workspace-hack` turns such features on for every build.

use std::collections::BTreeSet;
use std::process::Command;

/// Every crate of the dependency graph of `packages` (`--workspace`, or `-p <one>`) with its
/// features, for these edge kinds: a crate built both for the target and for the host (under a
/// proc macro) may stand twice, with two sets.
fn features(packages: &[&str], edges: &str) -> BTreeSet<(String, String)> {
    let output = Command::new(env!("CARGO"))
        .arg("tree")
        .args(packages)
        .args(["-e", edges, "--prefix", "none"])
        .args(["--format", "{p}|{f}"])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter(|line| !line.contains("(/"))
        .filter_map(|line| line.trim_end_matches(" (*)").split_once('|'))
        .map(|(package, features)| (package.to_owned(), features.to_owned()))
        .collect()
}

/// Each function alone, as cargo lambda watch builds it (`cargo run --bin <function>`), against
/// the whole workspace with its tests, as `cargo test --workspace` builds it.
#[test]
fn functions_and_tests_build_every_shared_dependency_with_the_same_features() {
    let tests = features(&["--workspace"], "normal,build,dev");
    for endpoint in api::Endpoint::ALL {
        let function = features(&["-p", endpoint.function()], "normal,build");
        let tested: BTreeSet<&String> = tests.iter().map(|(package, _)| package).collect();
        let differ: Vec<String> = function
            .iter()
            .filter(|built| tested.contains(&built.0) && !tests.contains(*built))
            .map(|(package, f)| format!("{package}: [{f}]"))
            .collect();
        assert!(
            differ.is_empty(),
            "{}: add these features to shared/workspace-hack: {differ:#?}",
            endpoint.function()
        );
    }
}
