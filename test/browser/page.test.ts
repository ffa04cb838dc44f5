// The browser example (examples/browser) works in a real browser: it is built with Vite's JS API
// (which also shows whether the library core bundles for the browser without Node built-ins),
// served from a temporary folder, and driven in headless Chromium through playwright-core.
// Chromium is not downloaded: set CHROMIUM_PATH, or install Debian's (`apt-get install -y chromium`).
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { build, createLogger } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../examples/browser/", import.meta.url));
const chromiumCandidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
const contentTypes: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml" };

let outDir = "";
let server: Server | undefined;
let browser: Browser | undefined;
let baseUrl = "";
const buildWarnings: string[] = [];

function findChromium(): string {
  const found = chromiumCandidates.find((path) => path !== undefined && path !== "" && existsSync(path));
  if (found === undefined) {
    throw new Error(
      `No Chromium found (looked at ${chromiumCandidates.filter(Boolean).join(", ")}). ` +
        "Install Debian's with `apt-get install -y chromium` (it is /usr/bin/chromium), or set CHROMIUM_PATH to a Chromium or Chrome binary.",
    );
  }
  return found;
}

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), "swarmsim-browser-"));
  const logger = createLogger("warn");
  const warn = logger.warn;
  logger.warn = (message, options) => {
    buildWarnings.push(message);
    warn(message, options);
  };
  await build({ root, configFile: join(root, "vite.config.ts"), logLevel: "warn", customLogger: logger, build: { outDir, emptyOutDir: true } });

  server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname));
    const file = join(outDir, path.endsWith("/") ? `${path}index.html` : path);
    if (!file.startsWith(outDir) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": contentTypes[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  const executablePath = findChromium();
  try {
    browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  } catch (error) {
    throw new Error(
      `Chromium at ${executablePath} did not launch: ${error instanceof Error ? error.message : String(error)}\n` +
        "Install Debian's with `apt-get install -y chromium`, or set CHROMIUM_PATH to a working Chromium or Chrome binary.",
    );
  }
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  if (outDir !== "") rmSync(outDir, { recursive: true, force: true });
});

async function status(page: Page): Promise<{ leader: string; term: string; now: number; tasks: number }> {
  return page.$eval("#status", (element) => {
    const data = (element as HTMLElement).dataset;
    return { leader: data.leader ?? "", term: data.term ?? "", now: Number(data.now), tasks: Number(data.tasks) };
  });
}

/** Clicks "+10 s" until `done` holds, at most `clicksMax` times; returns the last status. */
async function advanceUntil(page: Page, done: (now: Awaited<ReturnType<typeof status>>) => boolean, clicksMax: number) {
  let now = await status(page);
  for (let clicks = 0; clicks < clicksMax && !done(now); clicks += 1) {
    await page.click("#advance");
    now = await status(page);
  }
  return now;
}

describe("the browser example", () => {
  it("bundles without Node built-ins", () => {
    const nodeOnly = buildWarnings.filter((message) => /externalized for browser compatibility|"node:[a-z_/]+"|\bBuffer\b|process is not defined/.test(message));
    expect(nodeOnly).toEqual([]);
  });

  it("runs a live swarm, elects a new leader after a crash, travels back in time and runs a service", async () => {
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    await page.goto(baseUrl);
    await page.waitForSelector("body[data-ready=true]", { timeout: 20_000 });
    await page.waitForSelector("#cluster svg");

    // The live loop advances the virtual clock on its own; then pause it so the rest is deterministic.
    const start = await status(page);
    await page.waitForFunction((t) => Number(document.querySelector<HTMLElement>("#status")!.dataset.now) > t + 1_000, start.now, { timeout: 10_000 });
    await page.click("#pause");
    const before = await status(page);
    expect(before.leader).toMatch(/^manager\d$/);

    // Crash the leader with the button: a new leader is elected among the other managers.
    await page.click("#crash-leader");
    expect((await status(page)).leader).toBe("");
    const after = await advanceUntil(page, (now) => now.leader !== "", 12);
    expect(after.leader).toMatch(/^manager\d$/);
    expect(after.leader).not.toBe(before.leader);
    expect(Number(after.term)).toBeGreaterThan(Number(before.term));
    expect(await page.textContent("#cluster svg")).toContain(`leader ${after.leader}, term ${after.term}`);

    // The time slider shows the kept state from before the crash: the old leader.
    await page.$eval(
      "#time",
      (element, t) => {
        const slider = element as HTMLInputElement;
        slider.value = String(Math.floor(t) - 1); // just before the crash, which happened at `t`
        slider.dispatchEvent(new Event("input"));
      },
      before.now,
    );
    expect(await page.getAttribute("#past", "data-leader")).toBe(before.leader);
    expect(await page.textContent("#past")).toContain(`leader: ${before.leader} (term ${before.term})`);
    // The past is drawn too (render.renderClusterAt): the old leader marked in the picture.
    expect(await page.locator(`#past-picture g.leader[data-host="${before.leader}"]`).count()).toBe(1);
    await page.check("#follow");
    expect(await page.getAttribute("#past", "data-leader")).toBe(after.leader);

    // Create the service with the button: its three tasks run and are drawn; then scale it to 5.
    await page.click("#create");
    expect(await page.textContent("#log")).toContain("docker service create -d --name web --replicas 3 nginx");
    expect((await advanceUntil(page, (now) => now.tasks >= 3, 6)).tasks).toBe(3);
    expect(await page.textContent("#cluster svg")).toMatch(/web\.1/);
    expect(await page.textContent("#past")).toMatch(/web\.\d running/);
    await page.fill("#replicas", "5");
    await page.click("#scale");
    expect((await advanceUntil(page, (now) => now.tasks >= 5, 6)).tasks).toBe(5);

    expect(errors).toEqual([]);
    await page.close();
  });
});
