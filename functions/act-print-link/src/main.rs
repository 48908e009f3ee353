//! `POST /v1/billing/act_info/{act_id}/print_link`: the Lambda of `api::Endpoint::ActPrintLink`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::ActPrintLink).await?;
    run(service_fn(|request| {
        Endpoint::ActPrintLink.handle(&app, request)
    }))
    .await
}
