//! What clients of the original do, unchanged, against `cis serve` (docs/compatibility.md): the original's
//! own end-to-end flows (`test_change_endpoint.py`, `test_person_api.py`) 20 runs out of 20 in stream and in
//! direct mode, and the cases its real clients hit — DinoPark's Rust client writing back a profile it read
//! with its timestamps re-formatted, a batch with one refused item, paging by a client that parses
//! `nextPage` as `{"id": …}`, and development keys a PKCS#1-only library can load.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cis_e2e::api::{Api, encode, is_sequence_number};
use cis_e2e::{Service, cis, write_config};
use cis_profile::fake::fake_profile;
use cis_profile::rules::PublisherRules;
use cis_profile::{AttrPath, Profile, Publisher};
use serde_json::{Value, json};
use std::time::Duration;

const FULL: &str = "read:fullprofile display:all";
/// What a publisher holds: every publisher's key but `cis`'s.
const PUBLISHERS: [Publisher; 4] = [
    Publisher::Ldap,
    Publisher::Hris,
    Publisher::Mozilliansorg,
    Publisher::AccessProvider,
];

fn start(dir: &std::path::Path, direct: bool) -> Service {
    let ini = format!("[cis]\nstream_bypass = {direct}\nallow_delete = true\n");
    let config = write_config(dir, &ini);
    Service::start(dir, &["--config", config.to_str().unwrap()])
}

/// A small deterministic generator (xorshift), so that each run picks its own publishers.
struct Picks(u64);

impl Picks {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// What the original's `ensure_appropriate_publishers_and_sign(profile, "create")` makes of a fake user:
/// every attribute with a value claimed by a random publisher the rules let create it, and signed with
/// that publisher's key. Its helper could also pick `cis` (it signed with CIS's own key from SSM); no
/// publisher holds that key, so the attributes only CIS creates are left null here.
fn signed_create(service: &Service, seed: u64, user_id: &str) -> Profile {
    let mut profile = fake_profile(seed);
    let mut picks = Picks(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let rules = PublisherRules::embedded();
    let mut user = profile.attr_or_null(AttrPath::USER_ID);
    cis_profile::attr::set_payload(&mut user, AttrPath::USER_ID.kind(), json!(user_id));
    profile.set_attr(AttrPath::USER_ID, user);
    for path in AttrPath::all() {
        let Some(attr) = profile.attr(path) else {
            continue;
        };
        let creators: Vec<Publisher> = rules
            .creators(path)
            .iter()
            .copied()
            .filter(|p| PUBLISHERS.contains(p))
            .collect();
        if attr.is_null() || creators.is_empty() || path == AttrPath::LAST_MODIFIED {
            profile.set_attr(path, Profile::null().attr_or_null(path));
            continue;
        }
        let publisher = creators[picks.next(creators.len())];
        let key = service.publisher_key(publisher);
        let attr = profile.attr_mut(path).expect("present");
        cis_crypto::sign_attribute(attr, publisher, &key).expect("sign");
    }
    profile
}

/// The original's partial update: a null user with user_id and primary_email copied from the create and
/// `alternative_name` set and signed as mozilliansorg, posted without `?user_id`.
fn partial_update(service: &Service, created: &Profile) -> Profile {
    let mut update = Profile::null();
    for path in [AttrPath::USER_ID, AttrPath::PRIMARY_EMAIL] {
        update.set_attr(path, created.attr_or_null(path));
    }
    let path = AttrPath::parse("alternative_name").unwrap();
    let mut attr = update.attr_or_null(path);
    cis_profile::attr::set_payload(&mut attr, path.kind(), json!("anewfirstname"));
    let key = service.publisher_key(Publisher::Mozilliansorg);
    cis_crypto::sign_attribute(&mut attr, Publisher::Mozilliansorg, &key).expect("sign");
    update.set_attr(path, attr);
    update
}

async fn get(api: &Api, url: &str, token: &str) -> cis_e2e::api::Reply {
    api.send(reqwest::Method::GET, url, Some(token), None).await
}

/// Accepted as the original's test asserts: HTTP 200, `status_code` 200 and a sequence number.
fn assert_accepted(api: &Api, reply: &cis_e2e::api::Reply) -> String {
    let number = reply.str("sequence_number");
    assert!(
        reply.status == 200 && reply.body["status_code"] == 200 && is_sequence_number(number),
        "{} {}\n{}",
        reply.status,
        reply.body,
        api.log_tail()
    );
    number.to_string()
}

#[tokio::test]
async fn the_originals_change_endpoint_flow_passes_20_runs_of_20_in_both_modes() {
    for direct in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let service = start(dir.path(), direct);
        let api = service.api();
        let write = service.token("write");
        for run in 0..20u64 {
            let user_id = format!("email|compat{}{run:02}", if direct { "d" } else { "s" });
            let created = signed_create(&service, 1000 + run, &user_id);
            let create = assert_accepted(
                &api,
                &api.post_user(Some(&write), &created.to_value()).await,
            );
            // The update comes right behind the create (in stream mode, before it is processed).
            tokio::time::sleep(Duration::from_millis(50)).await;
            let update = partial_update(&service, &created);
            let reply = api.post_user(Some(&write), &update.to_value()).await;
            let update_number = assert_accepted(&api, &reply);
            // And a second update, back to back (create → update → update).
            let mut again = partial_update(&service, &created);
            let path = AttrPath::parse("alternative_name").unwrap();
            let mut attr = again.attr_or_null(path);
            cis_profile::attr::set_payload(&mut attr, path.kind(), json!("anothername"));
            let key = service.publisher_key(Publisher::Mozilliansorg);
            cis_crypto::sign_attribute(&mut attr, Publisher::Mozilliansorg, &key).expect("sign");
            again.set_attr(path, attr);
            let reply = api.post_user(Some(&write), &again.to_value()).await;
            let again_number = assert_accepted(&api, &reply);
            for number in [&create, &update_number, &again_number] {
                let record = api.wait_processed(&write, number).await;
                assert_eq!(record["state"], "processed", "run {run}: {record}");
            }
            let stored = api.read_user(&service.token(FULL), &user_id).await;
            assert_eq!(
                stored["alternative_name"]["value"], "anothername",
                "run {run}"
            );
            // test_deleting_a_profile asserts nothing but a JSON answer.
            let reply = api.delete_user(Some(&write), &created.to_value()).await;
            assert!(
                reply.body.is_object(),
                "run {run}: {} {}",
                reply.status,
                reply.body
            );
        }
    }
}

/// The original's e2e fixtures: user_id and primary_email of `durable.json` and `0.json` … `9.json`.
const FIXTURES: [(&str, &str); 11] = [
    (
        "email|635aee0f1637ce890237e5bec431e7b7",
        "jasmine22@gmail.com",
    ),
    ("google-oauth2|433", "erikroberts@yahoo.com"),
    (
        "oauth2|firefoxaccounts|LdOKzxQsgzwVNBIpuhGS",
        "jonessandra@hotmail.com",
    ),
    (
        "email|d8287816606ca02b1fc0f7d62cc5ae07",
        "wilkersonsara@logan.biz",
    ),
    ("github|5143", "orrrobert@hotmail.com"),
    (
        "email|6df4f758a72aeb0f3e4fa413c0b0ff65",
        "jessicagonzales@gmail.com",
    ),
    (
        "email|bf1cbd684982abed3fe99a4a073143db",
        "laurasimon@clark.com",
    ),
    ("github|3764", "jameseric@lawson.com"),
    (
        "oauth2|firefoxaccounts|FcTCttWLLnWoCdKScODb",
        "dunnkyle@lam.com",
    ),
    (
        "email|f7011f31ac2ff4bcdf8f438b6c4e49c6",
        "rodriguezlaura@powell.info",
    ),
    (
        "email|88d90113ae74bd1bc195e1d05e258452",
        "gcallahan@gmail.com",
    ),
];

/// Writes profiles straight into the vault (as the original's test wrote into DynamoDB): `cis vault import`.
fn import(dir: &std::path::Path, profiles: &[Profile]) {
    let lines: Vec<String> = profiles.iter().map(Profile::to_json).collect();
    let file = dir.join("import.jsonl");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let out = cis([
        "vault".as_ref(),
        "import".as_ref(),
        "--data-dir".as_ref(),
        dir.as_os_str(),
        file.as_os_str(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn with_ids(seed: u64, user_id: &str, email: &str) -> Profile {
    let mut profile = fake_profile(seed);
    for (path, value) in [
        (AttrPath::USER_ID, user_id),
        (AttrPath::PRIMARY_EMAIL, email),
    ] {
        let mut attr = profile.attr_or_null(path);
        cis_profile::attr::set_payload(&mut attr, path.kind(), json!(value));
        profile.set_attr(path, attr);
    }
    let (uuid, username) = cis_profile::identifiers::derive_identifiers("compat", user_id);
    for (path, value) in [
        (AttrPath::UUID, uuid),
        (AttrPath::PRIMARY_USERNAME, username),
    ] {
        let mut attr = profile.attr_or_null(path);
        cis_profile::attr::set_payload(&mut attr, path.kind(), json!(value));
        profile.set_attr(path, attr);
    }
    profile
}

#[tokio::test]
async fn the_originals_person_api_flow_passes_20_runs_of_20_in_both_modes() {
    for direct in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let service = start(dir.path(), direct);
        let profiles: Vec<Profile> = FIXTURES
            .iter()
            .enumerate()
            .map(|(n, (id, email))| with_ids(500 + n as u64, id, email))
            .collect();
        import(dir.path(), &profiles);
        let api = service.api();
        let token = service.token(FULL);
        for run in 0..20 {
            let users = get(&api, &format!("{}/v2/users", api.person_url), &token).await;
            assert_eq!(users.status, 200, "run {run}: {}", users.body);
            assert!(
                users.body["Items"]
                    .as_array()
                    .is_some_and(|i| i.len() >= 11)
            );
            let one = get(
                &api,
                &format!(
                    "{}/v2/user/primary_email/{}",
                    api.person_url,
                    encode("dunnkyle@lam.com")
                ),
                &token,
            )
            .await;
            assert_eq!(one.status, 200, "run {run}: {}", one.body);
            assert_eq!(one.body["user_id"]["value"], FIXTURES[8].0);
            let ids = api.all_ids(&token, "email").await;
            let emails = FIXTURES
                .iter()
                .filter(|(id, _)| id.starts_with("email|"))
                .count();
            assert!(ids.len() >= emails, "run {run}: {} ids", ids.len());
        }
    }
}

/// What a serde/chrono client does to a profile it read: timestamps without fractions get `.000`.
fn reformat_timestamps(value: &mut Value) {
    match value {
        Value::Object(map) => map.values_mut().for_each(reformat_timestamps),
        Value::Array(items) => items.iter_mut().for_each(reformat_timestamps),
        Value::String(s) if s.len() == 20 && s.ends_with('Z') && s.as_bytes()[10] == b'T' => {
            s.insert_str(19, ".000");
        }
        _ => {}
    }
}

#[tokio::test]
async fn dinopark_writes_back_a_profile_it_read_with_its_timestamps_reformatted() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path(), false);
    let api = service.api();
    let write = service.token("write");
    let user_id = "email|dinopark0001";
    let created = signed_create(&service, 77, user_id);
    let number = assert_accepted(
        &api,
        &api.post_user(Some(&write), &created.to_value()).await,
    );
    api.wait_processed(&write, &number).await;

    // DinoPark (the mozilliansorg client) reads the whole profile, changes fun_title, and writes it back.
    let dinopark = service.token_as("mozilliansorg-publisher", "write");
    let mut read = api.read_user(&service.token(FULL), user_id).await;
    reformat_timestamps(&mut read);
    assert!(
        read["last_modified"]["metadata"]["created"]
            .as_str()
            .unwrap()
            .ends_with(".000Z")
    );
    let mut profile = Profile::from_stored(read).unwrap();
    let path = AttrPath::parse("fun_title").unwrap();
    let mut attr = profile.attr_or_null(path);
    cis_profile::attr::set_payload(&mut attr, path.kind(), json!("Tree Hugger"));
    let key = service.publisher_key(Publisher::Mozilliansorg);
    cis_crypto::sign_attribute(&mut attr, Publisher::Mozilliansorg, &key).unwrap();
    profile.set_attr(path, attr);

    // update_user
    let reply = api.post_user(Some(&dinopark), &profile.to_value()).await;
    let number = assert_accepted(&api, &reply);
    assert_eq!(
        api.wait_processed(&write, &number).await["state"],
        "processed"
    );
    // update_users: the same profile once more is nothing to change; the batch answers 200.
    let reply = api.post_users(Some(&dinopark), &[profile.to_value()]).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body[0]["condition"], "noop", "{}", reply.body);
    let stored = api.read_user(&service.token(FULL), user_id).await;
    assert_eq!(stored["fun_title"]["value"], "Tree Hugger");
}

#[tokio::test]
async fn a_batch_with_one_refused_item_does_not_answer_200() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path(), false);
    let api = service.api();
    let write = service.token("write");
    let good = signed_create(&service, 88, "email|batch0001");
    let mut bad = signed_create(&service, 89, "email|batch0002").to_value();
    bad["first_name"]["value"] = json!("Mallory"); // its signature no longer matches
    let reply = api.post_users(Some(&write), &[good.to_value(), bad]).await;
    // cis_client-rust's update_users checks only the status: it must see the failure.
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert_eq!(reply.body[0]["status_code"], 200);
    assert_eq!(reply.body[1]["code"], "invalid_signature");
}

#[tokio::test]
async fn a_client_that_parses_next_page_as_an_object_pages_through_every_user() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path(), false);
    let profiles: Vec<Profile> = (0..400)
        .map(|n| {
            with_ids(
                2000 + n,
                &format!("email|paging{n:04}"),
                &format!("p{n}@example.com"),
            )
        })
        .collect();
    import(dir.path(), &profiles);
    let api = service.api();
    let token = service.token(FULL);
    // As cis_client-rust's get_users_iter: `nextPage` deserialised into `{"id": String}`, sent back as the
    // JSON of that object; and as the Python publishers: the `str(dict)` form.
    for python in [false, true] {
        let (mut seen, mut pages) = (std::collections::BTreeSet::new(), 0);
        let mut next: Option<String> = None;
        loop {
            let mut url = format!("{}/v2/users?active=any", api.person_url);
            if let Some(id) = &next {
                let text = if python {
                    format!("{{'id': '{id}'}}")
                } else {
                    json!({"id": id}).to_string()
                };
                url.push_str(&format!("&nextPage={}", encode(&text)));
            }
            let reply = get(&api, &url, &token).await;
            assert_eq!(reply.status, 200, "{}", reply.body);
            for item in reply.body["Items"].as_array().unwrap() {
                assert!(seen.insert(item["user_id"]["value"].as_str().unwrap().to_string()));
            }
            pages += 1;
            match &reply.body["nextPage"] {
                Value::Null => break,
                Value::Object(o) => next = Some(o["id"].as_str().expect("nextPage.id").to_string()),
                other => panic!("nextPage is not {{\"id\": ...}}: {other}"),
            }
        }
        assert_eq!(seen.len(), 400, "python form {python}");
        assert!(pages > 1, "{pages} pages");
    }
}

#[tokio::test]
async fn development_keys_are_pkcs1_pem() {
    let dir = tempfile::tempdir().unwrap();
    let _service = start(dir.path(), false);
    for publisher in [
        "cis",
        "ldap",
        "hris",
        "mozilliansorg",
        "access_provider",
        "issuer",
    ] {
        let path = dir
            .path()
            .join("keys")
            .join(format!("{publisher}.priv.pem"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"),
            "{}",
            path.display()
        );
    }
}
