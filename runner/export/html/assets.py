"""The report's only style sheet and script, inline; the CSP names them by their SHA-256.

Everything works with scripts off: cards and tool calls are `<details>`, and the event filters
are checkboxes read by CSS `:has()`. The script only adds conveniences: expand/collapse all,
"N of M events shown", and opening the card a link points to.
"""

from __future__ import annotations

import base64
import hashlib

CSS = """\
:root{--fg:#1d2330;--muted:#5b6474;--line:#d9dde5;--bg:#fff;--soft:#f5f7fa;--ok:#1a7f37;--warn:#9a6700;\
--err:#cf222e;--run:#0969da;--q:#6e7781}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1180px;margin:0 auto;padding:16px}
h1{font-size:1.45rem;margin:.2rem 0 .6rem;overflow-wrap:anywhere}
h2{font-size:1.15rem;margin:1.6rem 0 .6rem;padding-bottom:.25rem;border-bottom:1px solid var(--line)}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.86em}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--soft);border:1px solid var(--line);\
border-radius:6px;padding:8px 10px;margin:.3rem 0;max-height:28rem;overflow:auto}
.facts{display:flex;flex-wrap:wrap;gap:6px 18px;margin:0;padding:0;list-style:none;color:var(--muted)}
.facts b{color:var(--fg);font-weight:600}
.badge{display:inline-block;padding:0 7px;border-radius:10px;font-size:.78rem;font-weight:600;\
letter-spacing:.02em;color:#fff;background:var(--q);white-space:nowrap}
.s-complete{background:var(--ok)}.s-incomplete{background:var(--warn)}.s-error{background:var(--err)}
.s-running{background:var(--run)}.s-queued{background:var(--q)}
.attention{border:1px solid var(--err);border-radius:8px;padding:8px 12px;background:#fff5f5}
.attention ul{margin:.3rem 0;padding-left:1.2rem}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}
td:first-child{white-space:nowrap}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--soft);font-weight:600;white-space:nowrap}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.total td{font-weight:700;border-top:2px solid var(--fg)}
.note{color:var(--muted);font-size:.85rem}
.tl{display:grid;grid-template-columns:minmax(5.5rem,9rem) 1fr;gap:3px 10px;align-items:center}
.tl svg{width:100%;height:14px;background:var(--soft);border-radius:3px}
.tl .bar{fill:var(--q)}.tl .bar.s-complete{fill:var(--ok)}.tl .bar.s-incomplete{fill:var(--warn)}
.tl .bar.s-error{fill:var(--err)}.tl .bar.s-running{fill:var(--run)}.tl .tick{fill:#000;opacity:.55}
.tl-axis{display:flex;justify-content:space-between;color:var(--muted);font-size:.8rem;grid-column:2}
details{margin:.35rem 0}
summary{cursor:pointer;overflow-wrap:anywhere}
details.thread,details.run{border-left:3px solid var(--line);padding-left:10px}
details.task{border:1px solid var(--line);border-radius:8px;padding:6px 10px;background:#fff}
details.task.failed{border-color:var(--err)}
details.task>summary{font-weight:600}
details.task:target{outline:3px solid var(--run)}
dl.card{display:grid;grid-template-columns:10rem 1fr;gap:4px 12px;margin:.5rem 0}
dl.card dt{color:var(--muted)}dl.card dd{margin:0;min-width:0;overflow-wrap:anywhere}
details.tool{border:1px solid var(--line);border-radius:6px;padding:2px 8px;margin:.25rem 0}
details.tool.err{border-color:var(--err)}
.filters{display:flex;flex-wrap:wrap;gap:4px 14px;border:1px solid var(--line);border-radius:8px;padding:6px 10px}
.filters legend{font-weight:600}
.filters label{white-space:nowrap}
ol.events{list-style:none;padding:0;margin:.5rem 0}
ol.events li{display:grid;grid-template-columns:6.5rem 5.5rem minmax(8rem,14rem) 1fr;gap:8px;\
padding:3px 0;border-bottom:1px solid var(--line);font-size:.88rem}
ol.events li .t{color:var(--muted)}ol.events li .x{overflow-wrap:anywhere;min-width:0}
ol.events li.sev-error .k{color:var(--err);font-weight:600}ol.events li.sev-warn .k{color:var(--warn)}
.js-only{display:none}
footer{margin-top:2rem;color:var(--muted);font-size:.85rem}
@media (max-width:700px){
body{font-size:14px}main{padding:10px}
dl.card{grid-template-columns:1fr}dl.card dt{margin-top:.4rem}
ol.events li{grid-template-columns:5.8rem 1fr}ol.events li .k,ol.events li .x{grid-column:1/-1}
.tl{grid-template-columns:4.8rem 1fr}
}
"""

SCRIPT = """\
(function(){
"use strict";
var d=document;
function each(sel,fn){Array.prototype.forEach.call(d.querySelectorAll(sel),fn);}
function count(){var all=d.querySelectorAll("ol.events li"),shown=0;
 Array.prototype.forEach.call(all,function(li){if(li.offsetParent!==null)shown++;});
 var out=d.getElementById("event-count");if(out)out.textContent=shown+" of "+all.length+" events shown";}
function openTarget(){var id=decodeURIComponent(location.hash.slice(1));var el=id&&d.getElementById(id);
 while(el){if(el.tagName==="DETAILS")el.open=true;el=el.parentElement;}}
each(".js-only",function(el){el.classList.remove("js-only");});
d.getElementById("expand-all").addEventListener("click",function(){each("details",function(x){x.open=true;});});
d.getElementById("collapse-all").addEventListener("click",function(){each("details.task,details.tool",function(x){x.open=false;});});
each(".filters input",function(box){box.addEventListener("change",count);});
window.addEventListener("hashchange",openTarget);
openTarget();count();
})();
"""


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def content_security_policy(css: str) -> str:
    """Nothing may load; only this style sheet and this script may run (named by hash)."""
    return (f"default-src 'none'; style-src '{'sha256-' + _sha256(css)}'; "
            f"script-src '{'sha256-' + _sha256(SCRIPT)}'; img-src data:; base-uri 'none'; form-action 'none'")
