import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { isatty } from 'node:tty';
import { escapeOutput } from './control-characters';

/**
 * Where a command meets the outside world: stdout for results, stderr for
 * errors and questions, a person at the terminal, and the clock. Tests pass
 * their own.
 */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /**
   * Asks a person a question on stderr and resolves to the line they answer
   * (`''` when they end input instead). Absent when no one can answer: stdin
   * is not a terminal.
   */
  ask?: (question: string) => Promise<string>;
  /** How a command waits (for AWS to show a change); tests pass one that does not wait. */
  sleep?: (ms: number) => Promise<void>;
  /**
   * Redraws one status line on stderr in place (a progress bar); `''` clears
   * it. Absent when stderr is not a terminal, so that pipes, logs and tests
   * get no progress output.
   */
  status?: (line: string) => void;
  /** Standard input, for `--snapshot -`; by default the process's. */
  stdin?: () => Readable;
}

/** The real streams, for the command run as a process. */
export const processIo: Io = {
  out: (text) => {
    process.stdout.write(text);
  },
  err: (text) => {
    process.stderr.write(text);
  },
  // isatty, not process.stdin.isTTY: looking at process.stdin opens it.
  ...(isatty(0) ? { ask: askOnTerminal } : {}),
  ...(isatty(2) ? { status: redrawStatus } : {}),
};

/**
 * The same streams with every control character a value could carry
 * escaped ({@link escapeOutput}): what `main` hands each command, so no
 * text reaches stdout, stderr, a question or the status line unescaped.
 * Line ends are kept, and the status line's own redraw sequence is added
 * after, by the stream that draws it.
 */
export function escapingIo(io: Io): Io {
  const { ask, status } = io;
  return {
    ...io,
    out: (text) => io.out(escapeOutput(text)),
    err: (text) => io.err(escapeOutput(text)),
    ...(ask !== undefined ? { ask: (question: string) => ask(escapeOutput(question)) } : {}),
    ...(status !== undefined ? { status: (line: string) => status(escapeOutput(line)) } : {}),
  };
}

/** Back to the start of the line, erase it, write the new one (no newline: the next redraw replaces it). */
function redrawStatus(line: string): void {
  process.stderr.write(`\r\u001b[2K${line}`);
}

/** One line from the terminal; Ctrl-C or Ctrl-D answer `''` (which is never a yes). */
function askOnTerminal(question: string): Promise<string> {
  return new Promise((resolve) => {
    const terminal = createInterface({ input: process.stdin, output: process.stderr });
    let answered = false;
    terminal.on('SIGINT', () => {
      process.stderr.write('\n');
      terminal.close();
    });
    terminal.on('close', () => {
      if (!answered) resolve('');
    });
    terminal.question(question, (answer) => {
      answered = true;
      terminal.close();
      resolve(answer);
    });
  });
}

/** Exit status: 0 compliant, 1 non-compliant, 2 error (including an UNDECIDED verdict). */
export const EXIT = { compliant: 0, nonCompliant: 1, error: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
