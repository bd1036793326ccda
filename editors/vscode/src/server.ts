// Where the scholia binary is: the `scholia.server.path` setting, else `scholia` on PATH.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const BINARY = process.platform === "win32" ? "scholia.exe" : "scholia";

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The binary to start, or undefined when neither the setting nor PATH names one. */
export function findServer(configured: string): string | undefined {
  if (configured) {
    // A configured path is used as given, so a typo surfaces as a start error that names it.
    return configured.startsWith("~/") ? path.join(os.homedir(), configured.slice(2)) : configured;
  }
  const dirs = (process.env.PATH ?? "").split(path.delimiter).filter(Boolean);
  return dirs.map((dir) => path.join(dir, BINARY)).find(isExecutable);
}
