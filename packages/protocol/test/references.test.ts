/**
 * Every `§N.N` reference in the repository, and every relative Markdown link into `docs/protocol/`,
 * must land on a heading of the protocol reference. Code, schemas and READMEs cite the reference by
 * section number; a renumbered or deleted section would otherwise leave them pointing nowhere.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const docsDir = join(root, "docs", "protocol");

/** GitHub's heading anchor: lower case, punctuation and symbols dropped (`-` and `_` kept), spaces to `-`. */
function githubSlug(heading: string): string {
  const text = heading.replace(/!?\[([^\]]*)\]\([^)]*\)/gu, "$1"); // a link's text is what GitHub renders
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "")
    .replace(/ /gu, "-");
}

interface Heading {
  file: string;
  line: number;
  slug: string;
  /** The section number the heading starts with (`5.2`), if any. */
  section?: string;
}

/** The headings of a Markdown file outside fenced code, with GitHub's de-duplicated anchors. */
function headingsOf(file: string): Heading[] {
  const seen = new Map<string, number>();
  const out: Heading[] = [];
  let fenced = false;
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((raw, i) => {
      if (/^\s*(```|~~~)/u.test(raw)) fenced = !fenced;
      const m = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/u.exec(raw);
      if (!m) return;
      const text = m[1] ?? "";
      const base = githubSlug(text);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      const section = /^(\d+(?:\.\d+)*)\.?\s/u.exec(text)?.[1];
      out.push({ file, line: i + 1, slug: n === 0 ? base : `${base}-${n}`, ...(section ? { section } : {}) });
    });
  return out;
}

/** The reference's index: section number → heading, and file → its anchors. */
function referenceIndex() {
  const sections = new Map<string, Heading>();
  const duplicates: string[] = [];
  const anchors = new Map<string, Set<string>>();
  for (const name of readdirSync(docsDir).filter((f) => f.endsWith(".md")).sort()) {
    const file = join(docsDir, name);
    const hs = headingsOf(file);
    anchors.set(file, new Set(hs.map((h) => h.slug)));
    for (const h of hs) {
      if (!h.section) continue;
      const first = sections.get(h.section);
      if (first) duplicates.push(`§${h.section}: ${where(h)} and ${where(first)}`);
      else sections.set(h.section, h);
    }
  }
  return { sections, anchors, duplicates };
}

function where(h: { file: string; line: number }): string {
  return `${relative(root, h.file)}:${h.line}`;
}

const SKIP_DIRS = new Set(["node_modules", "dist", ".git", ".changeset", ".turbo", ".test-results", "coverage"]);

/** Files under `dir` whose names end with `ext`, skipping dependency and build folders. */
function walk(dir: string, ext: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) walk(join(dir, entry.name), ext, out);
    } else if (entry.name.endsWith(ext) && entry.name !== "CHANGELOG.md") {
      out.push(join(dir, entry.name));
    }
  }
  return out;
}

/** What the test scans: every Markdown file, and the TypeScript sources that cite sections. */
function scannedFiles(): string[] {
  const packages = readdirSync(join(root, "packages")).map((p) => join(root, "packages", p));
  const ts = [...packages.map((p) => join(p, "src")), join(root, "apps", "playground", "src"), join(root, "packages", "conformance", "scripts")];
  return [...walk(root, ".md"), ...ts.flatMap((dir) => walk(dir, ".ts"))];
}

/** `§` numbers of one line, leaving out other documents' sections (`RFC 6455 §4.2.1`). */
function sectionRefs(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/§(\d+(?:\.\d+)*)/gu)) {
    const before = line.slice(Math.max(0, (m.index ?? 0) - 16), m.index);
    if (/RFC\s*\d+\s*$/u.test(before)) continue;
    out.push(m[1] ?? "");
  }
  return out;
}

/** Relative Markdown link targets of one line (`[text](path#anchor)`), external ones left out. */
function linkTargets(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/\]\(<?([^)\s>]+)>?(?:\s+"[^"]*")?\)/gu)) {
    const target = m[1] ?? "";
    if (/^[a-z][a-z0-9+.-]*:/iu.test(target)) continue;
    out.push(target);
  }
  return out;
}

/** Every dangling reference of the repository, as `file:line: what`. */
function danglingReferences(): { problems: string[]; sectionCount: number; linkCount: number } {
  const { sections, anchors } = referenceIndex();
  const problems: string[] = [];
  let sectionCount = 0;
  let linkCount = 0;
  for (const file of scannedFiles()) {
    const lines = readFileSync(file, "utf8").split("\n");
    lines.forEach((line, i) => {
      const at = `${relative(root, file)}:${i + 1}`;
      for (const n of sectionRefs(line)) {
        sectionCount += 1;
        if (!sections.has(n)) problems.push(`${at}: §${n} is not a section of docs/protocol`);
      }
      if (!file.endsWith(".md")) return;
      for (const target of linkTargets(line)) {
        const [path = "", anchor] = target.split("#");
        const resolved = path === "" ? file : resolve(dirname(file), decodeURI(path));
        const inDocs = resolved === docsDir || resolved.startsWith(docsDir + sep);
        if (!inDocs) continue;
        linkCount += 1;
        const page = resolved === docsDir || resolved === docsDir + sep ? join(docsDir, "README.md") : resolved;
        const known = anchors.get(page);
        if (!known) problems.push(`${at}: ${target}: no such file in docs/protocol`);
        else if (anchor !== undefined && anchor !== "" && !known.has(decodeURIComponent(anchor))) {
          problems.push(`${at}: ${target}: no heading with anchor #${anchor} in ${relative(root, page)}`);
        }
      }
    });
  }
  return { problems, sectionCount, linkCount };
}

describe("docs/protocol references", () => {
  it("computes anchors as GitHub does", () => {
    expect(githubSlug("5.2 Client → server")).toBe("52-client--server");
    expect(githubSlug("2 STT Manual WebSocket: `/stt/websocket`")).toBe("2-stt-manual-websocket-sttwebsocket");
    expect(githubSlug("9.2 `@livekit/agents-plugin-cartesia` 1.8.1")).toBe("92-livekitagents-plugin-cartesia-181");
    expect(githubSlug("10.16 The voice specifier")).toBe("1016-the-voice-specifier");
    expect(githubSlug("0.2 Cartesia's documentation")).toBe("02-cartesias-documentation");
  });

  it("numbers every section once, including those the code cites", () => {
    const { sections, duplicates } = referenceIndex();
    expect(duplicates).toEqual([]);
    for (const n of ["0", "1.2", "1.4", "2.3", "3.4", "4", "5.2", "5.6", "6.1", "6.2", "7", "8", "9.1", "9.3", "10.6", "10.25", "11.4", "12", "13.1"]) {
      expect(sections.has(n), `§${n}`).toBe(true);
    }
  });

  it("leaves no § reference or link into docs/protocol dangling (file:line of each)", () => {
    const { problems, sectionCount, linkCount } = danglingReferences();
    // The scan must have found the references the repository is known to carry, or it checked nothing.
    expect(sectionCount).toBeGreaterThan(300);
    expect(linkCount).toBeGreaterThan(100);
    expect(problems).toEqual([]);
  });

  it("has examples that are JSON, line by line", () => {
    const bad: string[] = [];
    for (const name of readdirSync(docsDir).filter((f) => f.endsWith(".md"))) {
      let json = false;
      readFileSync(join(docsDir, name), "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (/^\s*```/u.test(line)) json = !json && /^\s*```json\s*$/u.test(line);
          else if (json && line.trim() !== "") {
            try {
              JSON.parse(line);
            } catch {
              bad.push(`docs/protocol/${name}:${i + 1}`);
            }
          }
        });
    }
    expect(bad).toEqual([]);
  });

  it("reports a dangling reference with its file and line", () => {
    const { sections } = referenceIndex();
    expect(sections.has("99.9")).toBe(false);
    expect(sectionRefs("see §99.9 and RFC 6455 §4.2.1")).toEqual(["99.9"]);
    expect(linkTargets("[§5.2](../docs/protocol/05-tts-websocket.md#52-client--server) [x](https://a.b/c)")).toEqual([
      "../docs/protocol/05-tts-websocket.md#52-client--server",
    ]);
  });
});
