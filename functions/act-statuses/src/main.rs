//! `GET /v1/billing/filter/act_statuses`: see `api::acts::statuses`; needs no storage.

use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    run(service_fn(api::acts::statuses)).await
}
