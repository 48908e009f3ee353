//! Nothing to use: this crate only turns on, for every build, the features that the tests'
//! dependencies turn on (see its `Cargo.toml`), so that tests and binaries share one build of
//! each dependency.
