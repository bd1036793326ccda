// The server's workspace/executeCommand commands in VS Code: shown in the palette while the
// server announces them, called with the cursor's position, their result shown to the user.
import * as vscode from "vscode";
import type { LanguageClient, Middleware } from "vscode-languageclient/node";

interface PaletteEntry {
  command: string;
  when: string;
}

/** Commands the running server announced in its `initialize` result. */
export function announcedCommands(client: LanguageClient): string[] {
  return client.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
}

/** Sets the context keys that show each palette entry (see scripts/sync-settings.js). */
export async function updatePalette(extension: vscode.Extension<unknown>, client: LanguageClient) {
  const manifest = extension.packageJSON as { contributes: { menus: { commandPalette: PaletteEntry[] } } };
  const offered = new Set(announcedCommands(client));
  for (const { command, when } of manifest.contributes.menus.commandPalette) {
    await vscode.commands.executeCommand("setContext", when, offered.has(command));
  }
}

async function showResult(command: string, result: unknown) {
  if (result === null || result === undefined) {
    return;
  }
  const text = typeof result === "string" ? result : JSON.stringify(result, null, 2);
  if (!text.includes("\n") && text.length <= 200) {
    void vscode.window.showInformationMessage(`${command}: ${text}`);
    return;
  }
  const language = typeof result === "string" ? "markdown" : "json";
  const document = await vscode.workspace.openTextDocument({ content: text, language });
  await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
}

/**
 * Palette calls come without arguments: pass where the user is (the commands also work
 * with none), then show what the command returned, since the palette discards it.
 */
export function executeCommandMiddleware(client: () => LanguageClient): Middleware["executeCommand"] {
  return async (command, args, next) => {
    const editor = vscode.window.activeTextEditor;
    const context = editor
      ? [client().code2ProtocolConverter.asTextDocumentPositionParams(editor.document, editor.selection.active)]
      : [];
    const result: unknown = await next(command, args.length > 0 ? args : context);
    await showResult(command, result);
    return result;
  };
}
