// Starts `scholia lsp` for LaTeX, Markdown, BibTeX and R Markdown files and wires the
// palette commands, the status bar item and the output channel to it.
import * as vscode from "vscode";
import { LanguageClient, State, TransportKind } from "vscode-languageclient/node";

import { executeCommandMiddleware, updatePalette } from "./commands";
import { findServer } from "./server";
import { StatusItem } from "./status";

const SECTION = "scholia";
const SHOW_LOG = "scholia.showOutput";
const RESTART = "scholia.restartServer";

let client: LanguageClient | undefined;

/** The languages to serve: those the manifest activates on, so the two lists can't drift. */
function languages(extension: vscode.Extension<unknown>): string[] {
  const manifest = extension.packageJSON as { activationEvents: string[] };
  const prefix = "onLanguage:";
  return manifest.activationEvents.filter((e) => e.startsWith(prefix)).map((e) => e.slice(prefix.length));
}

export async function activate(context: vscode.ExtensionContext) {
  const output = vscode.window.createOutputChannel("scholia", { log: true });
  const status = new StatusItem(SHOW_LOG);
  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand(SHOW_LOG, () => output.show()),
  );

  const config = vscode.workspace.getConfiguration(SECTION);
  const command = findServer(config.get<string>("server.path", ""));
  if (!command) {
    status.failed("`scholia` is not on PATH");
    const open = "Open Settings";
    const choice = await vscode.window.showErrorMessage(
      "scholia: the `scholia` binary was not found on PATH; set `scholia.server.path`.",
      open,
    );
    if (choice === open) {
      await vscode.commands.executeCommand("workbench.action.openSettings", "scholia.server.path");
    }
    return;
  }

  const languageClient: LanguageClient = new LanguageClient(
    SECTION,
    "scholia",
    { command, args: ["lsp"], transport: TransportKind.stdio },
    {
      documentSelector: languages(context.extension).map((language) => ({ scheme: "file", language })),
      outputChannel: output,
      // Clients without workspace/configuration rely on these; the server also pulls them.
      initializationOptions: vscode.workspace.getConfiguration().get(SECTION),
      synchronize: { configurationSection: SECTION },
      middleware: { executeCommand: executeCommandMiddleware(() => languageClient) },
    },
  );
  client = languageClient;
  context.subscriptions.push(
    status.follow(languageClient),
    languageClient.onDidChangeState(({ newState }) => {
      if (newState === State.Running) {
        void updatePalette(context.extension, languageClient);
      }
    }),
    vscode.commands.registerCommand(RESTART, () => languageClient.restart()),
  );
  try {
    await languageClient.start();
  } catch (error) {
    status.failed(`${command} did not start: ${String(error)}`);
    output.error(`could not start ${command}: ${String(error)}`);
  }
}

export function deactivate(): Thenable<void> | undefined {
  return client?.stop();
}
