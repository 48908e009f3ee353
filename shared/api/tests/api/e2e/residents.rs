//! Over HTTP: print links, residents' keys and readings round the loop to 1C and back.

use super::*;

/// Through the real router: a print link opens the act's page with no credentials at all, and
/// a residents' app mints a key for one account that reads that account only.
#[test]
#[ignore = "needs a server of this checkout: scripts/e2e.sh"]
fn print_links_and_residents_keys_work_over_http() {
    let api = Api::new();
    let act = json!({"acts": [{"act_number": 9100001, "created_at": "2026-11-30",
        "act_status": "sended", "payer": {"id": 1, "name": "ООО «Василек»"},
        "recipient": {"id": 2, "name": "ООО «Ромашка»"},
        "services": [{"title": "Услуга", "amount": 1000}]}]});
    assert_eq!(
        api.post_json("/v1/billing/acts/import", act.to_string()).0,
        201
    );
    let (status, link) = api.post(
        "/v1/billing/act_info/9100001/print_link?ttl_hours=1",
        None,
        "",
    );
    assert_eq!(status, 201, "{link}");
    let url = link["data"]["url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!(
            "{}/v1/billing/act_info/9100001/print?link=",
            api.base
        )),
        "{url}"
    );
    let (status, page) = api.open(url);
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("9100001") && page.contains("Ромашка"),
        "the act's page"
    );
    let (status, _) = api.open(&url.replace("9100001/print", "9100002/print"));
    assert_eq!(status, 404, "a link opens its own act only");
    let (status, _) = api.open(url.split("?link=").next().unwrap());
    assert_eq!(status, 401, "the page itself still needs a key");

    assert_eq!(
        api.post_json(ACCOUNTS, fixture("prerequisites/accounts.json"))
            .0,
        201
    );
    let own = "358d67ad-d66e-11e3-bd79-94de80e97e9a";
    let (status, minted) = api.post_json("/api/keys", json!({"account": own}).to_string());
    assert_eq!(status, 201, "{minted}");
    let resident = Api::with_key(Some(minted["data"]["key"].as_str().unwrap().to_owned()));
    assert_eq!(resident.get(&format!("/api/accounts/{own}")).0, 200);
    assert_eq!(
        resident
            .get("/api/accounts/ad96e8ab-476f-11e7-8518-0050569f0c67")
            .0,
        404
    );
    assert_eq!(resident.get("/v1/billing/acts").0, 403);
    let id = minted["data"]["id"].as_str().unwrap();
    let (status, revoked) = api.delete(&format!("/api/keys/{id}"));
    assert_eq!(status, 200, "{revoked}");
    assert_eq!(api.delete(&format!("/api/keys/{id}")).0, 404);
}

/// The loop a residents' app exists for, through `make run`: the office sets its window, a
/// resident's key submits (and sends again), 1C pulls, imports the reading back, acknowledges,
/// and the resident sees it applied.
#[test]
#[ignore = "needs `make run`; scripts/e2e.sh runs it"]
fn residents_readings_go_round_the_loop_over_http() {
    let api = Api::new();
    for (path, file) in [
        (SERVICES, "prerequisites/services.json"),
        (ACCOUNTS, "prerequisites/accounts.json"),
        (COUNTERS, "prerequisites/counters.json"),
    ] {
        assert_eq!(api.post_json(path, fixture(file)).0, 201, "{path}");
    }
    let settings = json!({"time_zone": "Asia/Yekaterinburg", "readings_window": null});
    let (status, set) = api.put_json("/api/settings", settings.to_string());
    assert_eq!((status, &set["data"]), (200, &settings), "{set}");
    let account = "358d67ad-d66e-11e3-bd79-94de80e97e9a";
    let meter = "a7a747b2-24d8-11e7-ae76-0050569f0c67";
    let (status, minted) = api.post_json("/api/keys", json!({"account": account}).to_string());
    assert_eq!(status, 201, "{minted}");
    let resident = Api::with_key(Some(minted["data"]["key"].as_str().unwrap().to_owned()));
    assert_eq!(resident.get("/api/settings").1["data"], settings);

    let readings = format!("/api/counters/{meter}/readings");
    let body = json!({"id": "3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a", "current_data1": "150,5"});
    let (status, submitted) = resident.post_json(&readings, body.to_string());
    assert_eq!(status, 201, "{submitted}");
    assert_eq!(submitted["data"]["status"], "pending");
    let (status, again) = resident.post_json(&readings, body.to_string());
    assert_eq!((status, &again["data"]), (200, &submitted["data"]));
    let other = "/api/counters/11111111-2222-3333-4444-555555555555/readings";
    assert_eq!(resident.post_json(other, body.to_string()).0, 404);
    assert_eq!(resident.get("/api/counter/export").0, 403);

    let (status, export) = api.get("/api/counter/export?limit=10");
    assert_eq!(status, 200, "{export}");
    assert_eq!(export["data"]["more"], false);
    let pulled = export["data"]["counters"].clone();
    // 1C's id of it is the office's, derived from the account and the id the app sent.
    let office_id = pulled[0]["id"].clone();
    assert_eq!(pulled.as_array().unwrap().len(), 1);
    assert_ne!(office_id, body["id"]);
    let (status, imported) = api.post_json(
        "/api/counter/import",
        json!({"counters": pulled}).to_string(),
    );
    assert_eq!(status, 201, "{imported}");
    let ack = json!({"readings": [{"id": office_id, "status": "applied"}]});
    let (status, acknowledged) = api.post_json("/api/counter/export/ack", ack.to_string());
    assert_eq!(status, 200, "{acknowledged}");
    assert_eq!(
        api.get("/api/counter/export").1["data"]["counters"],
        json!([])
    );

    let (_, mine) = resident.get(&format!("/api/counters/{meter}/submissions"));
    assert_eq!(mine["data"]["items"][0]["status"], "applied", "{mine}");
    let (_, history) = resident.get(&format!("{readings}?limit=1"));
    assert_eq!(history["data"]["items"][0]["current_data1"], json!(150.5));
    assert_eq!(
        history["data"]["items"][0]["date"],
        submitted["data"]["date"]
    );
}
