//! `GET /api/counter/export`: the Lambda of `api::Endpoint::CounterExport`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::CounterExport).await?;
    run(service_fn(|request| {
        Endpoint::CounterExport.handle(&app, request)
    }))
    .await
}
