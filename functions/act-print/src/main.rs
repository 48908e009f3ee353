//! `GET /v1/billing/act_info/{act_id}/print`: see `api::act_print::print`.

use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = api::App::from_env().await?;
    run(service_fn(|request| api::act_print::print(&app, request))).await
}
