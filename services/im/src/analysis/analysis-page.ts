/** The `/analysis/` page: markup only; behaviour in assets/analysis.js, style in assets/analysis.css. */
export const ANALYSIS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>IM · upcoming payments</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/analysis/assets/analysis.css">
<script src="/analysis/assets/chart.umd.min.js" defer></script>
<script src="/analysis/assets/analysis.js" defer></script>
</head>
<body>
<header>
  <h1>Upcoming payments per release month</h1>
  <button id="logout" type="button" hidden>Log out</button>
</header>
<section id="login" hidden>
  <h2>Log in</h2>
  <p>An admin account is needed. The token is kept in this tab only (sessionStorage).</p>
  <form id="login-form">
    <label>Username <input id="username" name="username" autocomplete="username" required></label>
    <label>Password <input id="password" name="password" type="password" autocomplete="current-password" required></label>
    <button type="submit">Log in</button>
  </form>
</section>
<p id="message" role="status"></p>
<section id="report" hidden>
  <p>Open pre-order lines (items whose DBU release date is in <span id="from-month"></span> or later), amount =
     price × quantity − discount, per release month.
     <a id="csv" href="/api/analysis/upcoming-payments/?format=csv">Download CSV</a></p>
  <div class="chart"><canvas id="chart" aria-label="Upcoming payments per release month" role="img"></canvas></div>
  <table id="months">
    <thead><tr><th>Release month</th><th>Amount (EUR)</th><th>Lines</th><th>Quantity</th></tr></thead>
    <tbody></tbody>
    <tfoot><tr><th>Total</th><td id="total-amount"></td><td id="total-lines"></td><td id="total-quantity"></td></tr></tfoot>
  </table>
  <p id="unscheduled"></p>
</section>
</body>
</html>
`;
