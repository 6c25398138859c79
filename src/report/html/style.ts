/** The report's stylesheet: one column on a phone, two chart columns on a laptop; tables scroll sideways inside their box. */
export const REPORT_CSS = `
:root { --fg: #1d1d1f; --muted: #55575c; --line: #dcdde0; --best: #cfe6f6; --panel: #fff; --bg: #f5f5f7; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 16px; }
header .kicker { margin: 0; color: var(--muted); font-size: .85rem; letter-spacing: .04em; text-transform: uppercase; }
h1 { font-size: 1.7rem; margin: .1em 0 .3em; overflow-wrap: anywhere; }
h2 { font-size: 1.25rem; margin: 0 0 .5em; }
h3 { font-size: 1.05rem; margin: 1.2em 0 .2em; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 14px 18px; margin: 16px 0; }
p { margin: .4em 0 .8em; }
.lead { font-size: 1.05rem; }
.note, figcaption, .question, footer { color: var(--muted); font-size: .9rem; }
dl.params { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; margin: .6em 0 0; font-size: .92rem; }
dl.params dt { font-weight: 600; }
dl.params dd { margin: 0; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; font-size: .92rem; }
th, td { padding: 5px 10px; text-align: right; white-space: nowrap; border-bottom: 1px solid #ececee; }
thead th { background: #f0f1f3; font-weight: 600; vertical-align: bottom; }
thead th { white-space: normal; min-width: 4.5em; max-width: 9em; }
th .unit { display: block; font-weight: 400; color: var(--muted); font-size: .8rem; }
tbody tr:last-child td, tbody tr:last-child th { border-bottom: 0; }
tbody th, thead th:first-child { text-align: left; position: sticky; left: 0; z-index: 1; background: var(--panel); }
thead th:first-child { background: #f0f1f3; }
td.best { background: var(--best); font-weight: 700; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 470px), 1fr)); gap: 18px; }
figure { margin: 0; min-width: 0; }
.chart { position: relative; height: 360px; }
code { font-size: .9em; background: #eef0f2; padding: 0 .25em; border-radius: 3px; }
details { margin-top: .8em; font-size: .9rem; }
details dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; }
details dd { margin: 0; }
@media (max-width: 640px) {
  body { font-size: 15px; }
  main { padding: 8px; }
  section { padding: 10px 12px; margin: 10px 0; }
  h1 { font-size: 1.4rem; }
  dl.params, details dl { grid-template-columns: 1fr; }
  dl.params dt, details dt { margin-top: 6px; }
  .chart { height: 300px; }
}
`;
