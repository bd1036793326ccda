#!/usr/bin/env node
// Writes the `contributes` of package.json from editors/settings.json, the one list of
// settings and commands shared by every editor client. `--check` only compares and
// exits 1 when package.json is out of date (run by `vscode:prepublish` and the tests).
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const SECTION = "scholia";
const schemaPath = path.join(__dirname, "..", "..", "settings.json");
const manifestPath = path.join(__dirname, "..", "package.json");

function configuration(settings) {
  const properties = {};
  settings.forEach((setting, order) => {
    const { key, client, description, ...schema } = setting; // `client` is ours, not a schema field
    properties[`${SECTION}.${key}`] = { ...schema, markdownDescription: description, order };
  });
  return { title: SECTION, properties };
}

function contributes(schema) {
  const commands = schema.commands.map(({ command, title }) => ({
    command,
    title,
    category: SECTION,
  }));
  // Server commands appear in the palette only while the server announces them: the
  // extension sets the context key named in `when` (read back from its package.json).
  const commandPalette = schema.commands
    .filter((c) => !c.client)
    .map(({ command }) => ({ command, when: `${SECTION}.offers.${command}` }));
  return {
    configuration: configuration(schema.settings),
    commands,
    menus: { commandPalette },
  };
}

function render(manifest) {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

function main() {
  const schema = JSON.parse(fs.readFileSync(schemaPath, "utf8"));
  const current = fs.readFileSync(manifestPath, "utf8");
  const wanted = render({ ...JSON.parse(current), contributes: contributes(schema) });
  if (wanted === current) {
    return 0;
  }
  if (process.argv.includes("--check")) {
    console.error("package.json is out of date with editors/settings.json: run `npm run sync-settings`");
    return 1;
  }
  fs.writeFileSync(manifestPath, wanted);
  console.log("package.json: contributes written from editors/settings.json");
  return 0;
}

process.exitCode = main();
