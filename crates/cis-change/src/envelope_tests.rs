use super::*;
use serde_json::json;

fn sample_profile() -> Value {
    // Deliberately not in canonical order: the envelope must keep the publisher's order.
    json!({"user_id": {"value": "ad|Mozilla-LDAP|jdoe"}, "schema": "https://auth.mozilla.com/.well-known/profile.schema", "active": {"value": true}})
}

#[test]
fn an_upsert_round_trips_through_its_bytes() {
    let env = ChangeEnvelope::upsert(
        "285229813155718975995433494324446866394".into(),
        "ad|Mozilla-LDAP|jdoe".into(),
        Condition::Update,
        Some("client@clients".into()),
        sample_profile(),
    );
    let decoded = ChangeEnvelope::decode(&env.to_bytes(), "4959").unwrap();
    assert!(!decoded.historic);
    assert_eq!(decoded.envelope, env);
}

#[test]
fn the_wire_form_has_the_documented_members_in_order() {
    let env = ChangeEnvelope::delete("7".into(), "github|1".into(), None, sample_profile());
    let text = String::from_utf8(env.to_bytes()).unwrap();
    assert!(text.starts_with(
        r#"{"v":1,"op":"delete","sequence_number":"7","user_id":"github|1","received_at":""#
    ));
    assert!(
        text.contains(r#""condition":"delete","profile":{"user_id""#),
        "{text}"
    );
    assert!(!text.contains("client_id"));
}

#[test]
fn the_profile_keeps_the_member_order_the_publisher_sent() {
    let env = ChangeEnvelope::upsert(
        "1".into(),
        "u".into(),
        Condition::Create,
        None,
        sample_profile(),
    );
    let decoded = ChangeEnvelope::decode(&env.to_bytes(), "x")
        .unwrap()
        .envelope;
    let keys: Vec<&String> = decoded.profile.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["user_id", "schema", "active"]);
}

#[test]
fn a_bare_profile_is_a_historic_upsert_keyed_by_the_stream_number() {
    let bytes = serde_json::to_vec(&sample_profile()).unwrap();
    let decoded = ChangeEnvelope::decode(
        &bytes,
        "49590338271490256608559692538361571095921575989136588898",
    )
    .unwrap();
    assert!(decoded.historic);
    let env = decoded.envelope;
    assert_eq!(env.op, Op::Upsert);
    assert_eq!(env.user_id, "ad|Mozilla-LDAP|jdoe");
    assert_eq!(
        env.sequence_number,
        "49590338271490256608559692538361571095921575989136588898"
    );
    assert_eq!(env.profile, sample_profile());
}

#[test]
fn undecodable_records_are_rejected_with_a_reason() {
    let cases: [(&[u8], DecodeError); 9] = [
        (b"\xff\xfe", DecodeError::NotJson(String::new())),
        (b"[1,2]", DecodeError::NotAnObject),
        (br#"{"a":1}"#, DecodeError::Unrecognised),
        (br#"{"v":2,"op":"upsert"}"#, DecodeError::UnsupportedVersion),
        (br#"{"v":1,"op":"merge","sequence_number":"1","user_id":"u","profile":{}}"#, DecodeError::Op),
        (br#"{"v":1,"op":"upsert","user_id":"u","profile":{}}"#, DecodeError::Member("sequence_number")),
        (br#"{"v":1,"op":"upsert","sequence_number":"1","user_id":"u","profile":"x"}"#, DecodeError::Member("profile")),
        (br#"{"v":1,"op":"upsert","sequence_number":"1","user_id":"u","condition":"x","profile":{}}"#, DecodeError::Condition),
        (br#"{"schema":"s","user_id":{"value":null}}"#, DecodeError::HistoricUserId),
    ];
    for (bytes, expected) in cases {
        let err = ChangeEnvelope::decode(bytes, "1").unwrap_err();
        match expected {
            DecodeError::NotJson(_) => assert!(matches!(err, DecodeError::NotJson(_)), "{err:?}"),
            other => assert_eq!(err, other),
        }
    }
}

#[test]
fn duplicate_members_make_a_record_undecodable() {
    let bytes = br#"{"v":1,"v":1,"op":"upsert","sequence_number":"1","user_id":"u","profile":{}}"#;
    assert!(matches!(
        ChangeEnvelope::decode(bytes, "1"),
        Err(DecodeError::NotJson(_))
    ));
}

#[test]
fn decode_errors_never_quote_the_record() {
    let bytes = br#"{"v":1,"op":"secret-op","sequence_number":"1","user_id":"u","profile":{}}"#;
    let text = ChangeEnvelope::decode(bytes, "1").unwrap_err().to_string();
    assert!(!text.contains("secret"), "{text}");
}

#[test]
fn short_user_ids_are_their_own_partition_key() {
    assert_eq!(
        partition_key("ad|Mozilla-LDAP|jdoe"),
        "ad|Mozilla-LDAP|jdoe"
    );
    let exactly_256: String = "é".repeat(256);
    assert_eq!(partition_key(&exactly_256), exactly_256);
}

#[test]
fn long_user_ids_are_keyed_by_their_lower_case_sha256() {
    let long = "a".repeat(257);
    let key = partition_key(&long);
    assert_eq!(key.len(), 64);
    assert!(
        key.chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    );
    assert_eq!(
        partition_key("x".repeat(300).as_str()),
        partition_key("x".repeat(300).as_str())
    );
    // sha256("a" * 257), computed independently with Python's hashlib.
    assert_eq!(
        key,
        "e8d95cc2b4bc198c54b40bd214df958afb65f5e73d2c2eafe0593cf5c635c1f0"
    );
}

#[test]
fn sequence_numbers_are_decimal_u128_texts() {
    for _ in 0..1000 {
        let n = new_sequence_number();
        assert!((1..=39).contains(&n.len()), "{n}");
        assert!(n.bytes().all(|b| b.is_ascii_digit()));
        assert!(n.parse::<u128>().is_ok());
    }
    assert_ne!(new_sequence_number(), new_sequence_number());
}
