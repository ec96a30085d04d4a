// The extension's log. Every line passes through a redactor that knows the secrets loaded this
// session, so a token can't reach the Output panel even by accident.
import * as vscode from 'vscode';

export class Log {
  private readonly secrets = new Set<string>();
  /** Lines written this session (tests assert that no secret ever appears here). */
  readonly history: string[] = [];
  constructor(private readonly channel: vscode.LogOutputChannel) {}

  registerSecret(secret: string | undefined): void {
    if (secret && secret.length >= 8) this.secrets.add(secret);
  }
  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('***');
    return out.replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/g, 'Bearer ***');
  }
  info(msg: string): void {
    this.write('info', msg);
  }
  warn(msg: string): void {
    this.write('warn', msg);
  }
  error(msg: string, err?: unknown): void {
    const detail = err instanceof Error ? `${err.name}: ${err.message}` : err === undefined ? '' : String(err);
    this.write('error', detail ? `${msg}: ${detail}` : msg);
  }
  private write(level: 'info' | 'warn' | 'error', msg: string): void {
    const line = this.redact(msg);
    this.history.push(`[${level}] ${line}`);
    if (this.history.length > 2000) this.history.shift();
    this.channel[level](line);
  }
}
