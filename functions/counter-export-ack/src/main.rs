//! `POST /api/counter/export/ack`: the Lambda of `api::Endpoint::CounterExportAck`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::CounterExportAck).await?;
    run(service_fn(|request| {
        Endpoint::CounterExportAck.handle(&app, request)
    }))
    .await
}
