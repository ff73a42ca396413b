/** Where a command writes: stdout for results, stderr for errors. Tests pass their own. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** The real streams, for the command run as a process. */
export const processIo: Io = {
  out: (text) => {
    process.stdout.write(text);
  },
  err: (text) => {
    process.stderr.write(text);
  },
};

/** Exit status: 0 compliant, 1 non-compliant, 2 error (including an UNDECIDED verdict). */
export const EXIT = { compliant: 0, nonCompliant: 1, error: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
