// The status bar item: whether the server runs and, when it offers `scholia.status`, the
// state of its models. Clicking it shows the server log.
import * as vscode from "vscode";
import { ExecuteCommandRequest, State, type LanguageClient } from "vscode-languageclient/node";

import { announcedCommands } from "./commands";

const STATUS_COMMAND = "scholia.status";
const POLL_MS = 10_000;

/** A line for the status bar from whatever `scholia.status` returned. */
function describe(result: unknown): string {
  if (typeof result === "string") {
    return result;
  }
  const fields = (result ?? {}) as Record<string, unknown>;
  const text = [fields.message, fields.state, fields.model].find((v): v is string => typeof v === "string");
  return text ?? "ready";
}

export class StatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
  private timer: NodeJS.Timeout | undefined;

  constructor(showLogCommand: string) {
    this.item.command = showLogCommand;
    this.show("$(sync~spin) scholia", "scholia is starting");
  }

  failed(reason: string) {
    this.stopPolling();
    this.show("$(error) scholia", `scholia is not running: ${reason}`);
  }

  /** Follows the client: polls the model state while the server runs and offers it. */
  follow(client: LanguageClient): vscode.Disposable {
    return client.onDidChangeState(({ newState }) => {
      this.stopPolling();
      if (newState === State.Running) {
        void this.refresh(client);
        this.timer = setInterval(() => void this.refresh(client), POLL_MS);
      } else {
        this.show("$(sync~spin) scholia", newState === State.Starting ? "scholia is starting" : "scholia stopped");
      }
    });
  }

  async refresh(client: LanguageClient) {
    if (!announcedCommands(client).includes(STATUS_COMMAND)) {
      this.stopPolling();
      this.show("$(book) scholia", "scholia is running (this server reports no model state)");
      return;
    }
    try {
      const result: unknown = await client.sendRequest(ExecuteCommandRequest.type, { command: STATUS_COMMAND });
      this.show(`$(book) scholia: ${describe(result)}`, "scholia model state; click for the server log");
    } catch (error) {
      this.show("$(warning) scholia", `${STATUS_COMMAND} failed: ${String(error)}`);
    }
  }

  private show(text: string, tooltip: string) {
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.show();
  }

  private stopPolling() {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  dispose() {
    this.stopPolling();
    this.item.dispose();
  }
}
