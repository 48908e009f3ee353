//! Every in-process test of the API, as one test binary (the AWS SDK is linked once), a module
//! per area. `helpers` is the one harness: a `TestApp` with a method per endpoint.
//!
//! The tests of `e2e` go over HTTP to a `make run` of this checkout and are ignored here:
//! `scripts/e2e.sh` starts the server and runs them (`cargo test -p api --test api -- --ignored
//! e2e::`).

mod act_print;
mod acts;
mod alarms;
mod build;
mod convergence;
mod e2e;
mod edges;
mod guide;
mod helpers;
mod imports;
mod journal;
mod keys;
mod logs;
mod never_panics;
mod partitions;
mod policies;
mod print_links;
mod reads;
mod receipts;
mod reconciliation;
mod residents;
mod routes;
mod schema;
mod submissions;
mod tenants;
