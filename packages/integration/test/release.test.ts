/**
 * The release path without publishing anything: `changeset version` on a throwaway copy of the
 * workspace's manifests and changesets (the repository is never touched), then `pnpm pack` of the
 * versioned copy's protocol package, which must pin its siblings to their new versions.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pnpmPack, publishablePackages, REPO_ROOT, run, runOk, tarballText, workspacePackages, type Manifest } from "../src/index.js";

const copy = mkdtempSync(join(tmpdir(), "speechwire-release-"));
const CHANGESET_BIN = join(REPO_ROOT, "node_modules", "@changesets", "cli", "bin.js");
const BUMPS = { patch: 2, minor: 1, major: 0 } as const;

/** Which packages each pending changeset names, and how (the frontmatter of `.changeset/*.md`). */
function pendingBumps(): Map<string, keyof typeof BUMPS> {
  const bumps = new Map<string, keyof typeof BUMPS>();
  for (const file of readdirSync(join(REPO_ROOT, ".changeset")).filter((f) => f.endsWith(".md") && f !== "README.md")) {
    const front = /^---\n([\s\S]*?)\n---/.exec(readFileSync(join(REPO_ROOT, ".changeset", file), "utf8"))?.[1] ?? "";
    for (const m of front.matchAll(/^"?([^":]+)"?:\s*(patch|minor|major)\s*$/gm)) {
      const [name, bump] = [m[1] as string, m[2] as keyof typeof BUMPS];
      const before = bumps.get(name);
      if (before === undefined || BUMPS[bump] < BUMPS[before]) bumps.set(name, bump);
    }
  }
  return bumps;
}

const manifestIn = (dir: string) => JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest & { scripts?: Record<string, string> };

beforeAll(() => {
  // The copy: the root manifest and workspace file, the changesets, every package's manifest and
  // README (changesets reads nothing else), the root node_modules for the changelog generator.
  for (const file of ["package.json", "pnpm-workspace.yaml", "LICENSE"]) cpSync(join(REPO_ROOT, file), join(copy, file));
  cpSync(join(REPO_ROOT, ".changeset"), join(copy, ".changeset"), { recursive: true });
  symlinkSync(join(REPO_ROOT, "node_modules"), join(copy, "node_modules"));
  for (const pkg of workspacePackages()) {
    mkdirSync(join(copy, pkg.relativeDir), { recursive: true });
    cpSync(join(pkg.dir, "package.json"), join(copy, pkg.relativeDir, "package.json"));
  }
  runOk(process.execPath, [CHANGESET_BIN, "version"], { cwd: copy, timeout: 300_000 });
});

afterAll(() => {
  rmSync(copy, { recursive: true, force: true });
});

describe("changeset version (on a throwaway copy)", () => {
  it("there is a release to make: the root has a release script that publishes with changesets after a build", () => {
    const root = manifestIn(REPO_ROOT);
    expect(root.scripts?.release).toBe("pnpm run build && changeset publish");
    expect(pendingBumps().size).toBeGreaterThan(0);
  });

  it("bumps every package a changeset names by its largest bump, writes its CHANGELOG and consumes the changesets", () => {
    const bumps = pendingBumps();
    for (const pkg of publishablePackages()) {
      const bump = bumps.get(pkg.manifest.name);
      const after = manifestIn(join(copy, pkg.relativeDir));
      if (bump === undefined) {
        expect(after.version, pkg.manifest.name).toBe(pkg.manifest.version);
        continue;
      }
      const [major, minor, patch] = pkg.manifest.version.split(".").map(Number) as [number, number, number];
      const expected = bump === "major" ? `${major + 1}.0.0` : bump === "minor" ? `${major}.${minor + 1}.0` : `${major}.${minor}.${patch + 1}`;
      expect(after.version, pkg.manifest.name).toBe(expected);
      const changelog = readFileSync(join(copy, pkg.relativeDir, "CHANGELOG.md"), "utf8");
      expect(changelog.startsWith(`# ${pkg.manifest.name}\n\n## ${expected}\n`), pkg.manifest.name).toBe(true);
    }
    expect(readdirSync(join(copy, ".changeset")).filter((f) => f.endsWith(".md") && f !== "README.md")).toEqual([]);
  });

  it("keeps workspace:* ranges in the manifests (pnpm pack and pnpm publish replace them)", () => {
    for (const pkg of publishablePackages()) {
      const after = manifestIn(join(copy, pkg.relativeDir));
      for (const [name, range] of Object.entries(after.dependencies ?? {})) {
        if (name.startsWith("@speechwire/")) expect(range, `${pkg.manifest.name} → ${name}`).toBe("workspace:*");
      }
    }
  });

  it("a package of the versioned copy packs with its siblings pinned to their new versions", () => {
    const client = publishablePackages().find((p) => p.manifest.name === "@speechwire/client");
    expect(client).toBeDefined();
    const dir = join(copy, "packages", "client");
    // The built files, as a release builds them before publishing (the prepack refuses a package without them).
    for (const entry of ["dist", "src", "README.md"]) cpSync(join(client?.dir as string, entry), join(dir, entry), { recursive: true });
    mkdirSync(join(copy, "scripts"), { recursive: true });
    cpSync(join(REPO_ROOT, "scripts", "prepack.mjs"), join(copy, "scripts", "prepack.mjs"));
    // pnpm reads a workspace:* sibling's version through its link, as `pnpm install` makes it.
    mkdirSync(join(dir, "node_modules", "@speechwire"), { recursive: true });
    const folders = new Map(workspacePackages().map((p) => [p.manifest.name, p.relativeDir]));
    const manifest = manifestIn(dir) as Manifest & { devDependencies?: Record<string, string> };
    for (const name of Object.keys({ ...manifest.dependencies, ...manifest.devDependencies }).filter((n) => folders.has(n))) {
      symlinkSync(join(copy, folders.get(name) as string), join(dir, "node_modules", ...name.split("/")));
    }
    const versioned = { dir, relativeDir: "packages/client", manifest: manifestIn(dir) };
    const { tarball } = pnpmPack(versioned, join(copy, "tarballs"));
    expect(existsSync(tarball)).toBe(true);
    const packed = JSON.parse(tarballText(tarball, "package.json")) as Manifest;
    const protocolVersion = manifestIn(join(copy, "packages", "protocol")).version;
    expect(protocolVersion).not.toBe("0.0.0");
    expect(packed.version).toBe(versioned.manifest.version);
    expect(packed.dependencies?.["@speechwire/protocol"]).toBe(protocolVersion);
    expect(tarballText(tarball, "LICENSE")).toBe(readFileSync(join(REPO_ROOT, "LICENSE"), "utf8"));
  });

  it("pnpm pack refuses a package that was not built (its prepack names what is missing)", () => {
    // The copy's protocol package has its manifest only: no dist, src or schemas.
    mkdirSync(join(copy, "scripts"), { recursive: true });
    cpSync(join(REPO_ROOT, "scripts", "prepack.mjs"), join(copy, "scripts", "prepack.mjs"));
    const r = run("pnpm", ["pack", "--pack-destination", join(copy, "refused")], { cwd: join(copy, "packages", "protocol") });
    expect(r.status).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toContain("@speechwire/protocol: cannot pack, missing files: dist, files: src, files: schemas");
    expect(existsSync(join(copy, "refused"))).toBe(false);
  });

  it("npm pack refuses a package with workspace: ranges (npm would ship them), naming the ranges and pnpm", () => {
    // Whatever user agent npm inherits (under `pnpm test` it is pnpm's, and npm keeps it).
    const r = run("npm", ["pack", "--dry-run"], { cwd: join(REPO_ROOT, "packages", "client"), env: { ...process.env, npm_config_user_agent: "pnpm/10.34.9 npm/? node/v20" } });
    expect(r.status).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toMatch(/@speechwire\/client: cannot pack with npm: it would leave workspace: ranges in \(@speechwire\/protocol\), which no npm client can install\. Use pnpm pack/);
  });
});
