// stderr shared by a live status line and log lines. On a terminal the status line is the
// last line, rewritten in place: a log line first clears it, is written on its own line, and
// the status line is drawn again below it, so the two are never glued together. Elsewhere (a
// log file, journald) the status line is a line like any other.

export interface ConsoleLines {
  /** A whole line (a log entry, a notice). */
  line(text: string): void;
  /** The status line: rewritten in place on a terminal; `final` leaves it as a line of its own. */
  status(text: string, final: boolean): void;
  readonly tty: boolean;
}

/** `terminal`: raw writes to a terminal; without it, every line (status included) goes to `writeLine`. */
export function consoleLines(terminal: ((text: string) => void) | undefined, writeLine: (line: string) => void): ConsoleLines {
  if (!terminal) return { line: writeLine, status: (text) => writeLine(text), tty: false };
  const CLEAR = '\r\x1b[K';
  let shown = '';
  return {
    tty: true,
    line: (text) => terminal(`${CLEAR}${text}\n${shown}`),
    status: (text, final) => {
      terminal(`${CLEAR}${text}${final ? '\n' : ''}`);
      shown = final ? '' : text;
    },
  };
}

/** For the process's stderr: a terminal when it is one. */
export function stderrLines(writeLine: (line: string) => void): ConsoleLines {
  return consoleLines(process.stderr.isTTY ? (text) => void process.stderr.write(text) : undefined, writeLine);
}
