/**
 * The pages' one stylesheet, served at `/-/browse/tvhub.css` (a file of its own, so the CSP needs no inline styles).
 */
export const pagesCss = `
:root {
  --fg: #1f2328; --muted: #656d76; --faint: #8c959f; --line: #e4e7eb; --soft: #f6f8fa; --bg: #ffffff;
  --accent: #4f46e5; --accent-soft: #eef2ff;
  --model: #2563eb; --model-bg: #eff6ff;
  --vector: #7c3aed; --vector-bg: #f5f3ff;
  --adapter: #0f766e; --adapter-bg: #f0fdfa;
  --merge: #c2410c; --merge-bg: #fff7ed;
  --dataset: #a16207; --dataset-bg: #fefce8;
  --radius: 10px;
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; color: var(--fg); background: var(--bg);
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif;
}
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre, kbd, .mono { font-family: var(--mono); font-size: 0.88em; }
.wrap { max-width: 1280px; margin: 0 auto; padding: 0 24px; }
.muted { color: var(--muted); }
.faint { color: var(--faint); }

/* top bar */
.top { border-bottom: 1px solid var(--line); background: #fff; position: sticky; top: 0; z-index: 5; }
.top .wrap { display: flex; align-items: center; gap: 24px; height: 58px; }
.brand {
  display: flex; align-items: center; gap: 10px; color: var(--fg); font-weight: 700; font-size: 17px;
  white-space: nowrap;
}
.brand:hover { text-decoration: none; }
.logo {
  display: inline-grid; place-items: center; width: 30px; height: 30px; border-radius: 8px;
  background: linear-gradient(135deg, #6366f1, #a855f7); color: #fff; font-size: 18px;
  font-family: Georgia, "DejaVu Serif", serif; font-style: italic;
}
.brand .muted { font-weight: 400; }
.top-search { flex: 1; max-width: 460px; }
.top-search input { width: 100%; }
.top-nav { margin-left: auto; display: flex; gap: 18px; font-size: 14px; }
.top-nav a { color: var(--muted); }
input[type=search], input[type=text], select {
  font: inherit; font-size: 14px; padding: 7px 11px; border: 1px solid var(--line); border-radius: 8px;
  background: var(--soft); color: var(--fg);
}
input[type=search]:focus, select:focus {
  outline: 2px solid var(--accent-soft); border-color: var(--accent); background: #fff;
}
button, .button {
  font: inherit; font-size: 14px; padding: 7px 14px; border-radius: 8px; border: 1px solid var(--accent);
  background: var(--accent); color: #fff; cursor: pointer; display: inline-block;
}
.button.secondary { background: #fff; color: var(--fg); border-color: var(--line); }
main.wrap { padding-top: 28px; padding-bottom: 56px; }
.foot { border-top: 1px solid var(--line); padding: 18px 24px 32px; color: var(--faint); font-size: 13px; }

/* badges and chips */
.badge {
  display: inline-flex; align-items: center; gap: 5px; font-size: 12px; font-weight: 600; padding: 2px 9px;
  border-radius: 999px; border: 1px solid transparent; white-space: nowrap; vertical-align: middle;
}
.badge::before { content: ""; width: 7px; height: 7px; border-radius: 50%; background: currentColor; }
.kind-model { color: var(--model); background: var(--model-bg); border-color: #bfdbfe; }
.kind-task-vector { color: var(--vector); background: var(--vector-bg); border-color: #ddd6fe; }
.kind-adapter { color: var(--adapter); background: var(--adapter-bg); border-color: #99f6e4; }
.kind-merge { color: var(--merge); background: var(--merge-bg); border-color: #fed7aa; }
.kind-dataset { color: var(--dataset); background: var(--dataset-bg); border-color: #fde68a; }
.badge.private { color: #9a3412; background: #fff1f2; border-color: #fecdd3; }
.badge.private::before { display: none; }
.chips { display: flex; flex-wrap: wrap; gap: 6px; }
.chip {
  display: inline-block; font-size: 12.5px; padding: 1px 9px; border-radius: 6px; background: var(--soft);
  border: 1px solid var(--line); color: var(--muted); white-space: nowrap;
}
a.chip:hover { text-decoration: none; border-color: var(--accent); color: var(--accent); }
.chip.active { background: var(--accent-soft); border-color: var(--accent); color: var(--accent); }

/* home */
.home { display: grid; grid-template-columns: 270px minmax(0, 1fr); gap: 36px; }
.filters h2 {
  font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 22px 0 8px;
}
.filters h2:first-child { margin-top: 0; }
.filter-form { display: grid; gap: 8px; }
.filter-form label { font-size: 13px; color: var(--muted); display: grid; gap: 3px; }
.filter-form input, .filter-form select { width: 100%; min-width: 0; }
.filter-form .actions { display: flex; gap: 8px; margin-top: 4px; }
.facet { list-style: none; margin: 0; padding: 0; font-size: 14px; }
.facet li a {
  display: flex; justify-content: space-between; gap: 8px; padding: 3px 8px; border-radius: 6px; color: var(--fg);
}
.facet li a:hover { background: var(--soft); text-decoration: none; }
.facet li a.active { background: var(--accent-soft); color: var(--accent); font-weight: 600; }
.facet .n { color: var(--faint); font-variant-numeric: tabular-nums; }
.facet .name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.results-head { display: flex; align-items: baseline; gap: 12px; flex-wrap: wrap; margin-bottom: 14px; }
.results-head h1 { font-size: 22px; margin: 0; }
.count { color: var(--faint); font-weight: 400; font-size: 18px; }
.active-filters { display: flex; gap: 6px; flex-wrap: wrap; }
.repo-list {
  list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr));
  gap: 12px;
}
.repo-item {
  border: 1px solid var(--line); border-radius: var(--radius); padding: 14px 16px;
  background: linear-gradient(#fff, #fcfcfd); transition: border-color .1s, box-shadow .1s;
}
.repo-item:hover { border-color: #c7d2fe; box-shadow: 0 2px 10px rgba(79, 70, 229, .07); }
.repo-item .line1 { display: flex; align-items: center; gap: 8px; justify-content: space-between; }
.repo-name { font-weight: 600; font-size: 15px; color: var(--fg); overflow-wrap: anywhere; }
.repo-name .ns { color: var(--muted); font-weight: 400; }
.repo-item .meta { font-size: 13px; color: var(--muted); margin: 6px 0 8px; }
.repo-item .meta a { color: var(--muted); text-decoration: underline; text-decoration-color: var(--line); }
.empty {
  padding: 40px; text-align: center; color: var(--muted); border: 1px dashed var(--line); border-radius: var(--radius);
}

/* repo header and tabs */
.repo-head { border-bottom: 1px solid var(--line); padding: 22px 0 0; background: linear-gradient(#fafbff, #fff); }
.repo-title { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; }
.repo-title h1 { margin: 0; font-size: 22px; font-weight: 500; overflow-wrap: anywhere; }
.repo-title h1 a { color: var(--muted); }
.repo-title h1 strong { font-weight: 700; }
.repo-head .chips { margin: 12px 0 4px; }
.tabs { display: flex; gap: 4px; margin-top: 14px; }
.tabs a { padding: 8px 14px; color: var(--muted); border-bottom: 2px solid transparent; font-weight: 500; }
.tabs a:hover { color: var(--fg); text-decoration: none; }
.tabs a.on { color: var(--fg); border-bottom-color: var(--accent); }
.tabs .n { font-size: 12px; color: var(--faint); margin-left: 4px; }
.repo-body { display: grid; grid-template-columns: minmax(0, 1fr) 340px; gap: 36px; align-items: start; }

/* side panels */
.panel {
  border: 1px solid var(--line); border-radius: var(--radius); padding: 14px 16px; margin-bottom: 16px;
  background: #fff;
}
.panel h2 { font-size: 14px; margin: 0 0 10px; display: flex; justify-content: space-between; align-items: baseline; }
.panel h2 .faint { font-weight: 400; font-size: 12.5px; }
.facts {
  display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 6px 14px; margin: 0; font-size: 13.5px;
}
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.facts dd ul { margin: 0; padding-left: 16px; }
.facts .chip, .repo-item .chip { white-space: normal; overflow-wrap: anywhere; }
.facts pre {
  margin: 0; white-space: pre-wrap; background: var(--soft); padding: 6px 8px; border-radius: 6px; max-height: 200px;
  overflow: auto;
}

/* model tree */
.tree, .tree ul { list-style: none; margin: 0; padding: 0; }
.tree .group-box { margin-left: 9px; padding-left: 14px; border-left: 1px solid var(--line); }
.tree .group-box > ul { margin: 0; padding: 0; border: 0; }
.tree .group {
  font-size: 11.5px; text-transform: uppercase; letter-spacing: .05em; color: var(--faint); margin: 8px 0 2px;
  cursor: pointer; list-style-position: inside;
}
.tree .group .n { text-transform: none; letter-spacing: 0; margin-left: 2px; }
.tree .node { padding: 3px 0; font-size: 13.5px; }
.tree .node > .row { display: flex; align-items: baseline; gap: 6px; }
.tree .node > .row > a, .tree .node > .row > .absent { overflow-wrap: anywhere; min-width: 0; }
.tree .node > .row > .dot { position: relative; top: -1px; }
.tree .current > .row > a {
  font-weight: 700; color: var(--fg); background: var(--accent-soft); padding: 0 6px; border-radius: 5px;
}
.tree .related > .row > a { font-weight: 600; }
.tree .dot { width: 8px; height: 8px; border-radius: 50%; flex: none; }
.tree .dot.kind-model { background: var(--model); } .tree .dot.kind-task-vector { background: var(--vector); }
.tree .dot.kind-adapter { background: var(--adapter); } .tree .dot.kind-merge { background: var(--merge); }
.tree .dot.absent { background: var(--line); }
.tree .sub { font-size: 12px; color: var(--muted); margin-left: 14px; }
.tree .sub a { color: var(--muted); text-decoration: underline; text-decoration-color: var(--line); }
.tree .sub .current { font-weight: 700; color: var(--fg); }
.absent { color: var(--muted); }

/* markdown */
.markdown { min-width: 0; font-size: 15px; }
.markdown > :first-child { margin-top: 0; }
.markdown h1 {
  font-size: 1.75em; border-bottom: 1px solid var(--line); padding-bottom: .3em; margin: 0 0 .7em;
  overflow-wrap: anywhere;
}
.markdown h2 { font-size: 1.35em; border-bottom: 1px solid var(--line); padding-bottom: .25em; margin: 1.6em 0 .7em; }
.markdown h3 { font-size: 1.12em; margin: 1.4em 0 .5em; }
.markdown p, .markdown ul, .markdown ol, .markdown pre, .markdown .table-wrap, .markdown details, .markdown blockquote {
  margin: 0 0 1em;
}
.markdown code { background: var(--soft); padding: .12em .35em; border-radius: 5px; overflow-wrap: anywhere; }
.markdown pre {
  background: #f6f8fa; border: 1px solid var(--line); padding: 12px 14px; border-radius: 8px; overflow: auto;
  line-height: 1.45;
}
.markdown pre code { background: none; padding: 0; overflow-wrap: normal; }
.markdown .table-wrap { overflow-x: auto; }
.markdown table { border-collapse: collapse; font-size: 14px; }
.markdown th, .markdown td { border: 1px solid var(--line); padding: 5px 11px; vertical-align: top; }
.markdown th { background: var(--soft); font-weight: 600; text-align: left; }
.markdown tr:nth-child(2n) td { background: #fbfbfc; }
.markdown img { max-width: 100%; height: auto; border-radius: 6px; }
.markdown blockquote { color: var(--muted); border-left: 3px solid var(--line); padding: 0 14px; }
.markdown details { border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; }
.markdown details > summary { cursor: pointer; font-weight: 600; color: var(--muted); }
.markdown details[open] > summary { margin-bottom: 10px; }
.markdown .katex-display, .markdown .katex-block { overflow-x: auto; overflow-y: hidden; padding: 4px 0; }
.markdown hr { border: 0; border-top: 1px solid var(--line); margin: 1.5em 0; }
.no-card {
  color: var(--muted); padding: 30px; border: 1px dashed var(--line); border-radius: var(--radius); text-align: center;
}

/* files and commits */
.toolbar { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; margin-bottom: 14px; }
.crumbs { font-size: 15px; }
.crumbs a { font-weight: 500; }
.refs { display: flex; gap: 6px; flex-wrap: wrap; align-items: center; font-size: 13px; }
.refs .label { color: var(--muted); }
.table {
  width: 100%; border: 1px solid var(--line); border-radius: var(--radius); border-collapse: separate;
  border-spacing: 0; overflow: hidden; font-size: 14px;
}
.table th {
  text-align: left; font-weight: 600; font-size: 12.5px; color: var(--muted); background: var(--soft);
  padding: 8px 14px; border-bottom: 1px solid var(--line);
}
.table td { padding: 8px 14px; border-bottom: 1px solid var(--line); vertical-align: top; }
.table tr:last-child td { border-bottom: 0; }
.table .num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.table .sha { font-family: var(--mono); font-size: 12px; color: var(--muted); overflow-wrap: anywhere; }
.lfs {
  font-size: 11px; font-weight: 700; color: var(--adapter); border: 1px solid #99f6e4; background: var(--adapter-bg);
  border-radius: 4px; padding: 0 5px; margin-left: 6px;
}
.icon { display: inline-block; width: 16px; color: var(--faint); }
.table .name { white-space: nowrap; }
.table .when { display: block; font-size: 12px; color: var(--faint); }
.table .last a { color: var(--muted); }
.summary-line { color: var(--muted); font-size: 13.5px; }
.commit-list { list-style: none; margin: 0; padding: 0; border: 1px solid var(--line); border-radius: var(--radius); }
.commit-list li {
  padding: 12px 16px; border-bottom: 1px solid var(--line); display: flex; justify-content: space-between; gap: 16px;
}
.commit-list li:last-child { border-bottom: 0; }
.commit-list .title { font-weight: 600; }
.commit-list .desc { color: var(--muted); font-size: 13.5px; white-space: pre-wrap; margin-top: 3px; }
.commit-list .side { text-align: right; white-space: nowrap; font-size: 13px; color: var(--muted); }
.blob { border: 1px solid var(--line); border-radius: var(--radius); overflow: hidden; }
.blob .head {
  background: var(--soft); padding: 10px 14px; border-bottom: 1px solid var(--line); display: flex; gap: 14px;
  flex-wrap: wrap; align-items: center; font-size: 13.5px;
}
.blob pre { margin: 0; padding: 14px; overflow: auto; font-size: 13px; line-height: 1.5; max-height: 75vh; }
.blob .image {
  padding: 20px; text-align: center; background: repeating-conic-gradient(#f3f4f6 0% 25%, #fff 0% 50%) 50% / 20px 20px;
}
.blob .image img { max-width: 100%; }
.blob .note { padding: 18px; color: var(--muted); }
.error-page { max-width: 560px; margin: 60px auto; text-align: center; }
.error-page h1 { font-size: 56px; margin: 0; color: var(--line); }

@media (max-width: 980px) {
  .home, .repo-body { grid-template-columns: minmax(0, 1fr); }
  .top-nav { display: none; }
}
`;
