/**
 * The local Hub's browse pages in a real browser: Debian's Chromium driven by playwright-core against a real
 * `tvhub hub serve` process. A base, two fine-tunes, their task vectors, a LoRA adapter and a merge are published
 * with tvhub itself; the test clicks through base → vector → merge, checks what each page renders (the card's
 * tables, KaTeX, images, the model tree, files with their LFS sha256, commits, branches and tags), the filters and
 * the search, that private repos appear nowhere without access, and that a hostile card runs nothing.
 * Screenshots go to test-output/browse/ (gitignored).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createRepo, uploadFiles } from "@huggingface/hub";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { downloadBytes, uploadFolder } from "./helpers/hub-io.js";
import { startLocalHub, type LocalHubProcess } from "./helpers/local-hub.js";
import { runCli } from "./helpers/run-cli.js";
import { fineTune, tensorsFromConfig, tinyLlamaConfig, writeSynthModel } from "./helpers/synth.js";

const chromiumPath = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find(
  (path) => path && existsSync(path),
);
const inCi = process.env.CI === "true";
const shots = resolve(import.meta.dirname, "../test-output/browse");
const demo = { name: "demo", token: "hf_demo_browse_token" };
const mallory = { name: "mallory", token: "hf_mallory_browse_token" };

if (!chromiumPath && !inCi) {
  console.warn(
    "test/browse-pages.spec.ts skipped: no Chromium at /usr/bin/chromium (or CHROMIUM_PATH); bash " +
      "scripts/setup-browser.sh installs it.",
  );
}

describe("Chromium for the browser tests", () => {
  it.runIf(inCi)("is installed in CI (scripts/setup-browser.sh, run by .ci/run)", () => {
    expect(chromiumPath, "CI=true but no Chromium: .ci/run must run scripts/setup-browser.sh").toBeDefined();
  });
});

describe.skipIf(!chromiumPath)("browse pages in Chromium", () => {
  let hub: LocalHubProcess;
  let browser: Browser;
  let work: string;
  const base = "demo/tiny-base";
  const ftA = "demo/tiny-summarize";
  const ftB = "demo/tiny-translate";
  const tvA = "demo/tiny-summarize-tv";
  const tvB = "demo/tiny-translate-tv";
  const adapter = "demo/tiny-summarize-lora";
  const merged = "demo/tiny-both";
  const secret = "demo/tiny-secret-tv";
  const evil = "mallory/evil-card";

  const env = () => ({ HF_HOME: join(work, "hf-home"), HF_TOKEN: demo.token, HF_ENDPOINT: hub.url });
  const tvhub = async (args: string[]) => {
    const run = await runCli([...args, "--json"], env());
    expect(run.stderr, `tvhub ${args.join(" ")}`).toBe("");
    expect(run.code, `tvhub ${args.join(" ")}`).toBe(0);
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "tvhub-browse-"));
    mkdirSync(shots, { recursive: true });
    hub = await startLocalHub({ users: [demo, mallory] });
    const config = tinyLlamaConfig();
    const tensors = tensorsFromConfig(config, { dtype: "BF16" });
    const baseModel = await writeSynthModel({
      dir: join(work, "base"),
      tensors,
      config,
      seed: 5,
      card: {
        extra: { license: "apache-2.0", tags: ["text-generation"] },
        body: "# tiny-base\n\nA tiny Llama-shaped base model.\n",
      },
    });
    const a = await fineTune({
      base: baseModel,
      dir: join(work, "ft-a"),
      seed: 6,
      baseModel: base,
      card: { extra: { license: "apache-2.0", tags: ["summarization"] } },
    });
    const b = await fineTune({
      base: baseModel,
      dir: join(work, "ft-b"),
      seed: 7,
      baseModel: base,
      card: { extra: { license: "apache-2.0", tags: ["translation"] } },
    });
    await uploadFolder({ hubUrl: hub.url, token: demo.token, repo: base, dir: baseModel.dir });
    await uploadFolder({ hubUrl: hub.url, token: demo.token, repo: ftA, dir: a.dir });
    await uploadFolder({ hubUrl: hub.url, token: demo.token, repo: ftB, dir: b.dir });

    await tvhub(["publish-vector", "--base", base, "--finetuned", ftA, "--to", tvA]);
    await tvhub(["publish-vector", "--base", base, "--finetuned", ftB, "--to", tvB]);
    await tvhub(["publish-vector", "--base", base, "--finetuned", ftA, "--to", adapter, "--lora-rank", "2"]);
    await tvhub(["apply", "--base", base, "--vector", `${tvA}:0.5`, "--vector", `${tvB}:0.5`, "--to", merged]);
    await tvhub(["publish-vector", "--base", base, "--finetuned", ftB, "--to", secret, "--private"]);

    // As the demo does: a picture of the results, uploaded into the repo it describes and shown by its card.
    const card = new TextDecoder().decode(await downloadBytes({ hubUrl: hub.url, repo: merged, path: "README.md" }));
    const svg =
      `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="120" viewBox="0 0 320 120"><rect ` +
      `width="320" height="120" fill="#eef2ff"/><rect x="20" y="30" width="120" height="70" ` +
      `fill="#6366f1"/><rect x="170" y="10" width="120" height="90" fill="#c2410c"/></svg>`;
    const scores = [
      "## Scores",
      "",
      "The merge adds both vectors at half weight:",
      "",
      "$$",
      "\\theta = \\theta_{\\text{base}} + \\sum_{i=1}^{2} \\lambda_i \\tau_i",
      "$$",
      "",
      "![accuracy of each model](pictures/scores.svg)",
      "",
    ].join("\n");
    // A function, not a replacement string: in one, `$$` means `$`.
    const withScores = card.replace("\n## Arithmetic", () => `\n${scores}\n## Arithmetic`);
    await uploadFiles({
      repo: merged,
      accessToken: demo.token,
      hubUrl: hub.url,
      useXet: false,
      files: [
        { path: "pictures/scores.svg", content: new Blob([svg]) },
        { path: "README.md", content: new Blob([withScores]) },
      ],
    });
    const tag = await fetch(`${hub.url}/api/models/${merged}/tag/main`, {
      method: "POST",
      headers: { Authorization: `Bearer ${demo.token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ tag: "v1" }),
    });
    expect(tag.status).toBe(200);

    // A hostile card: scripts, event handlers, javascript: links, an SVG with a script, HTML in the front matter.
    const hostile = [
      "---",
      `base_model: ${base}`,
      `tags: ['<img src=x onerror="window.__pwned=1">', "<script>window.__pwned=2</script>"]`,
      `license: "<b onmouseover=alert(1)>mit</b>"`,
      "---",
      "# Evil <script>window.__pwned = 3; document.title = 'pwned'</script>",
      "",
      '<img src="nope.png" onerror="window.__pwned = 4">',
      "",
      '[click](javascript:window.__pwned=5) <a href="java&#115;cript:window.__pwned=6">entity</a> <a href=" ' +
        'javascript:window.__pwned=7">space</a>',
      "",
      '<iframe src="javascript:window.parent.__pwned=8"></iframe><svg onload="window.__pwned=9"></svg>',
      "",
      '<div style="background:url(javascript:alert(1))" onclick="window.__pwned=10">styled</div>',
      "",
      "![x](javascript:window.__pwned=11) ![svg](evil.svg)",
      "",
      "$\\href{javascript:window.__pwned=12}{math link}$",
      "",
      '<details open><summary onclick="window.__pwned=13">summary</summary><p>inside</p></details>',
      "",
      "<style>body { display: none }</style>",
      "",
    ].join("\n");
    await createRepo({ repo: evil, accessToken: mallory.token, hubUrl: hub.url });
    await uploadFiles({
      repo: evil,
      accessToken: mallory.token,
      hubUrl: hub.url,
      useXet: false,
      files: [
        { path: "README.md", content: new Blob([hostile]) },
        {
          path: "evil.svg",
          content: new Blob([
            '<svg xmlns="http://www.w3.org/2000/svg" ' +
              'onload="window.top.__pwned=14"><script>window.top.__pwned=15</script><rect width="10" ' +
              'height="10"/></svg>',
          ]),
        },
      ],
    });

    browser = await chromium.launch({ executablePath: chromiumPath as string, args: ["--no-sandbox"] });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  const open = async (path: string): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    const response = await page.goto(`${hub.url}${path}`, { waitUntil: "networkidle" });
    expect(response?.status(), path).toBe(200);
    return page;
  };
  const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const repoIds = (page: Page) =>
    page.locator(".repo-item").evaluateAll((items) => items.map((item) => item.getAttribute("data-repo")));

  it("the home page lists every public repo with its kind, and hides the private one", async () => {
    const page = await open("/");
    expect(await page.title()).toBe("tvhub local Hub");
    const ids = await repoIds(page);
    expect(new Set(ids)).toEqual(new Set([base, ftA, ftB, tvA, tvB, adapter, merged, evil]));
    const kindOf = async (id: string) => page.locator(`.repo-item[data-repo="${id}"]`).getAttribute("data-kind");
    expect(await kindOf(base)).toBe("model");
    expect(await kindOf(tvA)).toBe("task-vector");
    expect(await kindOf(adapter)).toBe("adapter");
    expect(await kindOf(merged)).toBe("merge");
    expect(await page.content()).not.toContain("tiny-secret");
    await shot(page, "home");
    await page.close();
  });

  it("filters by kind (the form), base model (a facet) and tag, and searches by name", async () => {
    const page = await open("/");
    await page.selectOption('.filter-form select[name="kind"]', "task-vector");
    await page.click('.filter-form button[type="submit"]');
    await page.waitForLoadState("networkidle");
    expect(new Set(await repoIds(page))).toEqual(new Set([tvA, tvB]));
    expect(new URL(page.url()).searchParams.get("kind")).toBe("task-vector");

    await page.goto(`${hub.url}/`);
    await page.click(`.facet[data-facet="base"] a:has-text("${base}")`);
    await page.waitForLoadState("networkidle");
    // Everything made from the base: fine-tunes, vectors, the adapter, the merge (and the hostile card, which names
    // it).
    expect(new Set(await repoIds(page))).toEqual(new Set([ftA, ftB, tvA, tvB, adapter, merged, evil]));

    await page.goto(`${hub.url}/`);
    await page.click('.facet[data-facet="tag"] a:has-text("merge")');
    await page.waitForLoadState("networkidle");
    expect(await repoIds(page)).toEqual([merged]);

    await page.fill('.top-search input[name="search"]', "translate");
    await page.press('.top-search input[name="search"]', "Enter");
    await page.waitForLoadState("networkidle");
    expect(new Set(await repoIds(page))).toEqual(new Set([ftB, tvB]));
    await page.goto(`${hub.url}/?search=secret`);
    expect(await repoIds(page)).toEqual([]);
    await shot(page, "home-search-empty");
    await page.close();
  });

  it("clicks through base → task vector → merge: card, tables, model tree, KaTeX and the repo's picture", async () => {
    const page = await open("/");
    await page.click(`.repo-item[data-repo="${base}"] .repo-name`);
    await page.waitForLoadState("networkidle");
    expect(new URL(page.url()).pathname).toBe(`/${base}`);
    expect(await page.locator("#card h1").textContent()).toBe("tiny-base");
    // The base's tree: its fine-tunes, vectors, adapter and merge, each a link.
    const tree = page.locator("#model-tree");
    for (const id of [ftA, ftB, tvA, tvB, adapter, merged])
      expect(await tree.locator(`[data-node="${id}"] > .row a`).getAttribute("href")).toBe(`/${id}`);
    expect(
      await tree.locator("[data-group]").evaluateAll((groups) => groups.map((g) => g.getAttribute("data-group"))),
    ).toEqual(["Fine-tunes", "Task vectors", "Adapters", "Merges"]);
    expect(await tree.textContent()).not.toContain("secret");
    await shot(page, "base");

    await tree.locator(`[data-node="${tvA}"] > .row a`).click();
    await page.waitForLoadState("networkidle");
    expect(new URL(page.url()).pathname).toBe(`/${tvA}`);
    // The card's tables are tables; its front matter is the side panel, not text in the card.
    expect(await page.locator("#card table").count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator("#card table th").first().textContent()).toBe("role");
    expect(await page.locator("#card").textContent()).not.toContain("base_model_relation");
    expect(await page.locator("#metadata dt").allTextContents()).toEqual(
      expect.arrayContaining(["base_model", "base_model_relation", "tags"]),
    );
    expect(await page.locator("#metadata dd a").first().getAttribute("href")).toBe(`/${base}`);
    expect(await page.locator("#record").textContent()).toContain("tvhub/task-vector");
    // The vector sits under the base, marked as this page, with the fine-tune it came from and the merge that used it.
    const node = page.locator(`#model-tree .current[data-node="${tvA}"]`);
    expect(await node.locator(".sub").first().textContent()).toContain("tiny-summarize");
    await shot(page, "task-vector");

    await node.locator(`.sub a[href="/${merged}"]`).click();
    await page.waitForLoadState("networkidle");
    expect(new URL(page.url()).pathname).toBe(`/${merged}`);
    // KaTeX typeset the formula (and its fonts came from this server), the picture loaded from the repo.
    const math = page.locator("#card .katex-display");
    expect(await math.count()).toBe(1);
    expect(await math.locator("annotation").textContent()).toContain("\\lambda_i \\tau_i");
    expect(await math.locator(".katex-html").isVisible()).toBe(true);
    expect(await page.evaluate("document.fonts.ready.then(() => document.fonts.check('16px KaTeX_Main'))")).toBe(true);
    const picture = page.locator('#card img[alt="accuracy of each model"]');
    expect(await picture.getAttribute("src")).toMatch(
      new RegExp(`^/${merged}/resolve/[0-9a-f]{40}/pictures/scores\\.svg$`),
    );
    expect(
      await page.evaluate(
        `(() => { const img = document.querySelector('#card img[alt="accuracy of each model"]'); return ` +
          "img.complete && img.naturalWidth; })()",
      ),
    ).toBe(320);
    const inputs = page.locator(`#model-tree .current[data-node="${merged}"] .sub`);
    expect(await inputs.textContent()).toMatch(/tiny-summarize-tv ×0\.5, tiny-translate-tv ×0\.5/);
    expect(await page.locator("#record").textContent()).toContain("task_arithmetic");
    await shot(page, "merge");
    await page.close();
  });

  it("shows files with sizes and LFS sha256, commits, branches and tags", async () => {
    const page = await open(`/${tvA}`);
    await page.click('.tabs a[data-tab="files"]');
    await page.waitForLoadState("networkidle");
    expect(new URL(page.url()).pathname).toBe(`/${tvA}/tree/main`);
    const bytes = await downloadBytes({ hubUrl: hub.url, repo: tvA, path: "task_vector.safetensors" });
    const row = page.locator('#files tr[data-path="task_vector.safetensors"]');
    expect(await row.locator(".lfs").count()).toBe(1);
    expect(await row.locator(".sha").textContent()).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(await row.locator(".num").getAttribute("title")).toBe(`${bytes.byteLength.toLocaleString("en-US")} bytes`);
    expect(await page.locator('#files tr[data-path="tvhub.json"] .lfs').count()).toBe(0);
    await shot(page, "files");

    await page.locator('#files tr[data-path="tvhub.json"] td a').first().click();
    await page.waitForLoadState("networkidle");
    expect(JSON.parse((await page.locator("#file-text").textContent()) ?? "")).toMatchObject({
      format: "tvhub/task-vector",
      finetuned: { repo: ftA },
    });

    await page.goto(`${hub.url}/${merged}/commits/main`);
    const titles = await page.locator("#commits .title").allTextContents();
    expect(titles).toHaveLength(3);
    expect(await page.locator("#refs .chip").allTextContents()).toEqual(["main", "v1"]);
    await shot(page, "commits");
    // A commit's id opens the files at that commit: the first one, before the picture was added.
    await page.locator("#commits li").nth(1).locator(".side a").click();
    await page.waitForLoadState("networkidle");
    expect(await page.locator('#files tr[data-path="pictures"]').count()).toBe(0);
    expect(await page.locator('#files tr[data-path="model.safetensors"]').count()).toBe(1);
    await page.close();
  });

  it(
    "a private repo is invisible to a browser: 404 page, absent from lists, search and trees; its owner's token " +
      "sees it",
    async () => {
      const page = await browser.newPage();
      for (const path of [
        `/${secret}`,
        `/${secret}/tree/main`,
        `/${secret}/commits/main`,
        `/${secret}/blob/main/tvhub.json`,
      ]) {
        const response = await page.goto(`${hub.url}${path}`);
        expect(response?.status(), path).toBe(404);
        expect(await page.locator("#error").textContent()).toContain("Repository not found");
      }
      const missing = await page.goto(`${hub.url}/demo/no-such-repo`);
      expect(missing?.status()).toBe(404);
      for (const path of ["/", `/${base}`, `/${tvB}`, `/?base=${encodeURIComponent(base)}`, "/?search=tiny"]) {
        await page.goto(`${hub.url}${path}`);
        expect(await page.content(), path).not.toContain("tiny-secret");
      }
      await page.close();
      // The pages use the API's own access rule: a client that sends the owner's token sees the repo.
      const owned = await fetch(`${hub.url}/${secret}`, { headers: { Authorization: `Bearer ${demo.token}` } });
      expect(owned.status).toBe(200);
      expect(await owned.text()).toContain("private");
      const other = await fetch(`${hub.url}/${secret}`, { headers: { Authorization: `Bearer ${mallory.token}` } });
      expect(other.status).toBe(404);
    },
  );

  it("a hostile card runs nothing: no script, handler, javascript: URL or stylesheet of its own survives", async () => {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const response = await page.goto(`${hub.url}/${evil}`, { waitUntil: "networkidle" });
    expect(response?.status()).toBe(200);
    expect(response?.headers()["content-security-policy"]).toContain("script-src 'none'");
    // Hovering and clicking everything would fire any handler that survived.
    for (const element of await page.locator("#card *, #metadata *").all()) {
      await element.hover({ timeout: 1000, force: true }).catch(() => undefined);
    }
    await page.locator("#card details summary").click();
    await page.locator("#card div:has-text('styled')").last().click();
    expect(await page.evaluate("window.__pwned")).toBeUndefined();
    expect(await page.title()).toBe(`${evil} · tvhub local Hub`);
    expect(dialogs).toEqual([]);
    expect(await page.locator("body").isVisible()).toBe(true);
    // Evaluated in the page (a string: this project's TypeScript has no DOM types).
    const dom = await page.evaluate(`(() => {
      const all = [...document.querySelectorAll("*")];
      return {
        scripts: document.querySelectorAll("script, iframe, object, embed, style").length,
        handlers: all.flatMap((el) =>
          [...el.attributes].filter((a) => a.name.startsWith("on")).map((a) => el.tagName + "." + a.name)),
        jsUrls: all.flatMap((el) =>
          [...el.attributes].filter((a) => /^\\s*javascript:/i.test(a.value)).map((a) => el.tagName + "." + a.name)),
      };
    })()`);
    expect(dom).toEqual({ scripts: 0, handlers: [], jsUrls: [] });
    // Repo text is text: the tags and the heading show their markup as characters.
    expect(await page.locator("#metadata").textContent()).toContain('<img src=x onerror="window.__pwned=1">');
    expect(await page.locator("#card h1").textContent()).toContain("Evil");
    expect(await page.locator("#card details p").textContent()).toBe("inside");
    await shot(page, "hostile-card");

    // The repo's SVG opened on its own is sandboxed: its script does not run.
    const svg = await page.goto(`${hub.url}/${evil}/resolve/main/evil.svg`);
    expect(svg?.headers()["content-type"]).toBe("image/svg+xml");
    expect(svg?.headers()["content-security-policy"]).toContain("sandbox");
    expect(await page.evaluate("window.__pwned")).toBeUndefined();
    // The home page shows the hostile tags as text too.
    await page.goto(`${hub.url}/`);
    expect(await page.evaluate("window.__pwned")).toBeUndefined();
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it("keeps the API's answers: JSON at / for clients, downloads as bytes", async () => {
    const root = await fetch(`${hub.url}/`);
    expect(root.headers.get("content-type")).toContain("application/json");
    expect(await root.json()).toMatchObject({ name: "tvhub local Hub" });
    const file = await fetch(`${hub.url}/${tvA}/resolve/main/task_vector.safetensors`);
    expect(file.headers.get("content-type")).toBe("application/octet-stream");
    await file.arrayBuffer();
    const html = await fetch(`${hub.url}/`, { headers: { Accept: "text/html" } });
    expect(html.headers.get("content-type")).toBe("text/html; charset=utf-8");
    await html.text();
  });
});
