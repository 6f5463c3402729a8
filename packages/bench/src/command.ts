// The command line that results.json records.

/** The command line as typed, with key values hidden (results carry it; keys never go there). */
export function commandLine(argv: string[]): string {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i] as string;
    const key = /^--(api-key|admin-key)(=|$)/.exec(a);
    if (key) {
      out.push(key[2] === "=" ? `--${key[1]}=***` : a);
      if (key[2] !== "=" && i + 1 < argv.length) {
        out.push("***");
        i += 1;
      }
    } else out.push(/[\s"']/.test(a) ? JSON.stringify(a) : a);
  }
  return `speechwire-bench ${out.join(" ")}`;
}

/** A results file's command as a full command line (older files hold only the subcommand, e.g. "all"). */
export function fullCommand(command: string): string {
  return command.startsWith("speechwire-bench") ? command : `speechwire-bench ${command}`;
}
