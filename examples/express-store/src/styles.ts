/** The whole stylesheet, served from /styles.css: no external fonts, images or scripts. */
export const STYLES = `
:root{--ink:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#f8f7f4;--card:#fff;--brand:#0f766e;--brand-dark:#115e59;--warn:#b45309;--bad:#b91c1c;--good:#15803d}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--ink);background:var(--bg)}
a{color:var(--brand-dark)}
.top{display:flex;align-items:center;justify-content:space-between;gap:1rem;padding:.9rem 1.5rem;background:var(--card);border-bottom:1px solid var(--line)}
.brand{font-weight:700;font-size:1.2rem;text-decoration:none;color:var(--ink);letter-spacing:.01em}
.brand span{color:var(--brand)}
nav{display:flex;gap:1.1rem;flex-wrap:wrap}
nav a{text-decoration:none;color:var(--muted);font-weight:500}
nav a:hover,nav a.current{color:var(--ink)}
main{max-width:64rem;margin:0 auto;padding:1.75rem 1.5rem 3rem}
h1{font-size:1.6rem;margin:0 0 1.25rem}
h2{font-size:1.15rem;margin:2rem 0 .75rem}
.muted{color:var(--muted)}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(13.5rem,1fr));gap:1.1rem}
.product{display:flex;flex-direction:column;background:var(--card);border:1px solid var(--line);border-radius:.75rem;overflow:hidden}
.swatch{height:7.5rem;display:flex;align-items:center;justify-content:center;font-size:2.6rem;font-weight:700;color:#fff}
.product .body{padding:1rem;display:flex;flex-direction:column;gap:.4rem;flex:1}
.product h3{margin:0;font-size:1.05rem}
.product p{margin:0;color:var(--muted);font-size:.92rem;flex:1}
.price{font-weight:700;font-size:1.05rem}
.badge{display:inline-block;padding:.1rem .55rem;border-radius:999px;font-size:.78rem;font-weight:600;background:#ecfdf5;color:var(--brand-dark);border:1px solid #a7f3d0}
.badge.hold{background:#fffbeb;color:var(--warn);border-color:#fde68a}
button,.button{display:inline-flex;align-items:center;justify-content:center;gap:.4rem;padding:.6rem 1rem;border:0;border-radius:.5rem;background:var(--brand);color:#fff;font:inherit;font-weight:600;cursor:pointer;text-decoration:none}
button:hover,.button:hover{background:var(--brand-dark)}
button.secondary{background:#fff;color:var(--ink);border:1px solid var(--line)}
button.danger{background:#fff;color:var(--bad);border:1px solid #fecaca}
button.small{padding:.3rem .6rem;font-size:.85rem}
table{width:100%;border-collapse:collapse;background:var(--card);border:1px solid var(--line);border-radius:.75rem;overflow:hidden}
th,td{padding:.65rem .8rem;text-align:left;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);background:#fafafa}
tr:last-child td{border-bottom:0}
.num{text-align:right;white-space:nowrap}
.panel{background:var(--card);border:1px solid var(--line);border-radius:.75rem;padding:1.25rem;margin-top:1.25rem}
.row{display:flex;gap:1rem;flex-wrap:wrap;align-items:flex-end}
label{display:flex;flex-direction:column;gap:.3rem;font-weight:500;font-size:.92rem}
label.check{flex-direction:row;align-items:center;gap:.5rem;font-weight:400}
input[type=text],input[type=email],input[type=tel],input[type=number]{padding:.55rem .7rem;border:1px solid #d1d5db;border-radius:.45rem;font:inherit;min-width:14rem}
input[type=number]{min-width:0;width:4.5rem}
.notice{padding:.75rem 1rem;border-radius:.5rem;margin:0 0 1.25rem;border:1px solid}
.notice.good{background:#f0fdf4;border-color:#bbf7d0;color:var(--good)}
.notice.bad{background:#fef2f2;border-color:#fecaca;color:var(--bad)}
.notice.info{background:#eff6ff;border-color:#bfdbfe;color:#1d4ed8}
.status{display:inline-block;padding:.15rem .6rem;border-radius:999px;font-size:.85rem;font-weight:600;background:#f3f4f6}
.status.paid{background:#dcfce7;color:var(--good)}
.status.authorized{background:#fef3c7;color:var(--warn)}
.status.payment_failed,.status.canceled{background:#fee2e2;color:var(--bad)}
.status.partially_refunded,.status.refunded{background:#e0e7ff;color:#3730a3}
.status.awaiting_payment{background:#f3f4f6;color:var(--muted)}
.total{display:flex;justify-content:space-between;font-weight:700;font-size:1.1rem;padding:.9rem .8rem}
.actions{display:flex;gap:.4rem;flex-wrap:wrap;align-items:center}
.actions form{display:inline-flex;gap:.35rem;align-items:center;margin:0}
.actions input[type=text]{min-width:0;width:6rem;padding:.3rem .5rem}
.cards{display:flex;gap:.6rem;flex-wrap:wrap}
ol.timeline{margin:0;padding-left:1.2rem}
footer{max-width:64rem;margin:0 auto;padding:0 1.5rem 2rem;color:var(--muted);font-size:.85rem}
code{font-size:.9em;background:#f3f4f6;padding:.05rem .3rem;border-radius:.25rem}
`;
