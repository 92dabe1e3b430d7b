// Where CLI commands write, so tests can run them in-process and read what they printed.
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Whether `out` is a terminal (a person reading): JSON is then indented. */
  readonly outIsTerminal?: boolean;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  get outIsTerminal() {
    return Boolean(process.stdout.isTTY);
  },
};
