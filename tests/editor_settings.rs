//! Keeps `editors/settings.json` (what the editor clients offer) in step with the server:
//! every server setting there is one the server reads, with the server's default, and every
//! command the server announces has a palette entry there.

mod common;

use std::path::Path;

use scholia::server::settings::Settings;
use serde_json::{json, Map, Value};

fn schema() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/settings.json");
    let text = std::fs::read_to_string(&path).expect("read editors/settings.json");
    serde_json::from_str(&text).expect("editors/settings.json is JSON")
}

/// Settings the server reads; the others (`client: true`) only configure an editor client.
fn server_settings(schema: &Value) -> Vec<&Value> {
    let all = schema["settings"].as_array().expect("a `settings` list");
    all.iter().filter(|s| !s["client"].as_bool().unwrap_or(false)).collect()
}

fn key(setting: &Value) -> &str {
    setting["key"].as_str().expect("each setting has a `key`")
}

/// `value` at `key` inside `object`, a dotted key (`generator.model`) as nested objects,
/// the way editors send the section.
fn insert(object: &mut Map<String, Value>, key: &str, value: Value) {
    match key.split_once('.') {
        Some((group, rest)) => {
            let inner = object.entry(group).or_insert_with(|| json!({}));
            insert(inner.as_object_mut().expect("a settings group is an object"), rest, value)
        }
        None => {
            object.insert(key.to_owned(), value);
        }
    }
}

fn section<'a>(settings: impl IntoIterator<Item = (&'a str, Value)>) -> Value {
    let mut object = Map::new();
    for (key, value) in settings {
        insert(&mut object, key, value);
    }
    Value::Object(object)
}

fn defaults(schema: &Value) -> Value {
    section(server_settings(schema).into_iter().map(|s| (key(s), s["default"].clone())))
}

/// A value of the wrong type for a setting of JSON-schema type `kind`.
fn wrong_value(kind: &str) -> Value {
    match kind {
        "boolean" => json!("yes"),
        // A lone string stands for a one-item list, so a number is the wrong type.
        "array" | "string" => json!(3),
        "number" | "integer" => json!("three"),
        other => panic!("no wrong value known for type {other}"),
    }
}

#[test]
fn every_server_setting_is_read_by_the_server_with_its_type() {
    let schema = schema();
    let settings = server_settings(&schema);
    assert!(!settings.is_empty(), "no server settings in the schema");
    for setting in settings {
        let key = key(setting);
        let mut merged = Settings::default();
        let accepted = merged.merge_json(&section([(key, setting["default"].clone())]));
        assert!(accepted.is_empty(), "{key}: default rejected: {accepted:?}");

        let kind = setting["type"].as_str().expect("each setting has a `type`");
        let rejected = merged.merge_json(&section([(key, wrong_value(kind))]));
        assert_eq!(
            rejected.len(),
            1,
            "{key}: a wrong {kind} was not reported; is `{key}` a setting the server reads?"
        );
    }
}

#[test]
fn schema_defaults_are_the_server_defaults() {
    let mut merged = Settings::default();
    assert!(merged.merge_json(&defaults(&schema())).is_empty());
    assert_eq!(merged, Settings::default());
    // The values a reader of the schema sees, spelled out.
    assert!(merged.unused_entries);
    assert!(merged.cite_commands.is_empty() && merged.default_bibliography.is_empty());
    assert_eq!(merged.generator.backend, scholia::model::GeneratorBackend::Local);
}

#[test]
fn helix_configuration_lists_every_server_setting_with_its_default() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/helix/languages.toml");
    let text = std::fs::read_to_string(path).expect("read editors/helix/languages.toml");
    let helix: toml::Table = text.parse().expect("languages.toml is TOML");
    let config = serde_json::to_value(&helix["language-server"]["scholia"]["config"]["scholia"])
        .expect("a [language-server.scholia.config.scholia] table");
    // TOML has no null: a setting whose default is null is simply absent.
    let schema = schema();
    let present = server_settings(&schema).into_iter().filter(|s| !s["default"].is_null());
    assert_eq!(config, section(present.map(|s| (key(s), s["default"].clone()))));
}

#[test]
fn every_announced_command_has_a_palette_entry() {
    let schema = schema();
    let listed: Vec<&str> = schema["commands"]
        .as_array()
        .expect("a `commands` list")
        .iter()
        .map(|c| {
            assert!(c["title"].is_string(), "{c}: no title");
            c["command"].as_str().expect("each command has a `command`")
        })
        .collect();
    let (_dir, root) = common::fixture("latex-project");
    let mut client = common::Client::spawn();
    // Dropping the client ends the server; its clean exit is lsp_core's concern.
    let result = client.initialize(&root, &["utf-16"], Value::Null);
    let announced = result["capabilities"]["executeCommandProvider"]["commands"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for command in &announced {
        let command = command.as_str().expect("command names are strings");
        assert!(
            listed.contains(&command),
            "the server offers {command}; add it to editors/settings.json"
        );
    }
}
