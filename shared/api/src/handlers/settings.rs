//! The office's settings: its time zone and the days of the month it takes residents'
//! readings. `PUT /api/settings` (1C or the administrator, scope `import`) replaces them;
//! `GET /api/settings` answers them to any key of the tenant with `read` or `import` (a
//! residents' app shows its residents when the window is open).

use domain::json::normalise;
use domain::settings::Settings;
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use store::{KeyReader, Reader, SettingsStore};

use crate::envelope::ok;
use crate::{ApiError, App, Endpoint, body};

#[derive(Serialize)]
struct SettingsView {
    time_zone: &'static str,
    readings_window: Option<WindowView>,
}

#[derive(Serialize)]
struct WindowView {
    from_day: u8,
    to_day: u8,
}

impl From<Settings> for SettingsView {
    fn from(s: Settings) -> Self {
        Self {
            time_zone: s.time_zone.name(),
            readings_window: s.readings_window.map(|w| WindowView {
                from_day: w.from_day,
                to_day: w.to_day,
            }),
        }
    }
}

/// `GET /api/settings`: the defaults (`Europe/Moscow`, no window) until the office sets them.
pub async fn get<S>(
    app: &App<S>,
    request: Request,
    endpoint: Endpoint,
) -> Result<Response<Body>, ApiError>
where
    S: SettingsStore + KeyReader + Reader,
{
    let caller = app.open_caller(&request, endpoint).await?;
    let settings = app.store().settings(&caller.tenant).await?;
    Ok(ok(SettingsView::from(settings)))
}

/// `PUT /api/settings` with `{"time_zone", "readings_window"}`: `200` with what is now set.
pub async fn put<S>(
    app: &App<S>,
    request: Request,
    endpoint: Endpoint,
) -> Result<Response<Body>, ApiError>
where
    S: SettingsStore + KeyReader,
{
    let tenant = app.authenticate(&request, endpoint).await?;
    let text = body::text(&request)?;
    let settings = Settings::parse(&normalise(&text)).map_err(ApiError::invalid_parameters)?;
    app.store().put_settings(&tenant, &settings).await?;
    tracing::info!(time_zone = settings.time_zone.name(), "settings replaced");
    Ok(ok(SettingsView::from(settings)))
}
