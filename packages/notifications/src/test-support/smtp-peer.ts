import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { EmailChannel } from '../channels/email-channel.js';

/** The user and password the peer accepts. */
export const SMTP_USER = 'bot@example.com';
export const SMTP_PASSWORD = 'smtp-secret-from-env';

/** A real SMTP server on loopback (smtp-server), whose behaviour a test switches. */
export interface SmtpPeer {
  readonly port: number;
  /** Every message accepted, parsed by mailparser, with its envelope's recipients. */
  readonly messages: { readonly mail: ParsedMail; readonly rcptTo: readonly string[] }[];
  /** Connections refused so far. */
  readonly refused: number;
  /** Refuses the next `count` connections (554 at the greeting). */
  refuse(count: number): void;
  /** Holds every message's DATA without an answer (a server that hangs mid-send) until `hold(false)`. */
  hold(on: boolean): void;
  /** Resolves when a DATA has started (the client is waiting for the answer). */
  dataStarted(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a loopback SMTP server that requires {@link SMTP_USER} / {@link SMTP_PASSWORD} (plain text: loopback). */
export async function startSmtpPeer(): Promise<SmtpPeer> {
  let refuse = 0;
  let refused = 0;
  let holding = false;
  let dataWaiters: (() => void)[] = [];
  const messages: { mail: ParsedMail; rcptTo: string[] }[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    closeTimeout: 200,
    onConnect(_session, callback) {
      if (refuse > 0) {
        refuse -= 1;
        refused += 1;
        callback(new Error('service busy, try later'));
        return;
      }
      callback();
    },
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) callback(null, { user: auth.username });
      else callback(new Error('invalid credentials'));
    },
    onData(stream, session, callback) {
      for (const resolve of dataWaiters.splice(0)) resolve();
      const parsed = simpleParser(stream);
      if (holding) {
        parsed.catch(() => {}); // read it, never answer: the client's kill cuts it short
        return;
      }
      parsed.then(
        (mail) => {
          messages.push({ mail, rcptTo: session.envelope.rcptTo.map((rcpt) => rcpt.address) });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  // A client killed mid-send resets its connection: expected here, not a failure of the test.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    messages,
    get refused() {
      return refused;
    },
    refuse: (count) => {
      refuse = count;
    },
    hold: (on) => {
      holding = on;
    },
    dataStarted: () => new Promise<void>((resolve) => dataWaiters.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        dataWaiters = [];
        server.close(() => resolve());
      }),
  };
}

/** An email channel to the peer, with its credentials, from `quant-bot <bot@example.com>`. */
export function emailToPeer(
  peer: SmtpPeer,
  to: readonly string[] = ['ops@example.com'],
  timeoutMs = 2000,
): EmailChannel {
  return new EmailChannel({
    host: '127.0.0.1',
    port: peer.port,
    security: 'none',
    user: SMTP_USER,
    password: SMTP_PASSWORD,
    from: 'quant-bot <bot@example.com>',
    to,
    timeoutMs,
  });
}
